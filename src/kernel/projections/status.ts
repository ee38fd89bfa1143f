import type { ParkedStream, ProjectionStatus } from '../types/projection.js';
import type { Generation } from './generations.js';

/** The status of a projection from its generations and the log's head (the runner's and the CLI's view alike). */
export function describeProjection(module: string, serving: Generation, building: Generation | undefined, head: number, parked: ParkedStream[] = []): ProjectionStatus {
  const running = serving.state === 'live' || serving.state === 'catching-up';
  return {
    module,
    projection: serving.name,
    version: serving.version,
    generation: serving.generation,
    position: serving.position,
    headPosition: head,
    lag: Math.max(0, head - serving.position),
    state: running ? (serving.position >= head ? 'live' : 'catching-up') : serving.state,
    ...(serving.error ? { error: { message: serving.error, position: serving.errorPosition, eventId: serving.errorEventId } } : {}),
    ...(parked.length > 0 ? { parked } : {}),
    ...(building ? { building: { generation: building.generation, version: building.version, position: building.position } } : {}),
  };
}
