import type { Knex } from 'knex';
import { ConflictError, NotFoundError } from '../errors.js';
import type { ParkedStream } from '../types/projection.js';
import { loadGenerations, type Generation } from './generations.js';
import { operatorStream, ProjectionEventSkipped, ProjectionRetried } from './kernelEvents.js';
import type { OperatorRecord } from './operatorActions.js';
import { dropFirst, parkedStreams, requestRetry } from './parking.js';

/**
 * What an operator does to a projection's parked streams: retry them (the leader replays each
 * stream's parked events in order) or skip a stream's first parked event (recorded in the log,
 * like a skip of a stopped projection's event; the rest of the stream is retried).
 */

/** The generation whose streams are parked (the serving one, else one being rebuilt), with them. */
async function parkedIn(db: Knex, module: string, projection: string, stream?: string): Promise<{ g: Generation; streams: ParkedStream[] }> {
  const generations = await loadGenerations(db, projection);
  if (generations.length === 0) throw new NotFoundError(`no projection ${module}/${projection}`);
  for (const g of [...generations.filter((x) => x.serving), ...generations.filter((x) => !x.serving)]) {
    const streams = (await parkedStreams(db, g)).filter((s) => !stream || s.stream === stream);
    if (streams.length > 0) return { g, streams };
  }
  throw new ConflictError(stream ? `${module}/${projection} has no parked stream ${stream}` : `${module}/${projection} has no parked stream (nothing to retry or skip)`);
}

/** Whether retry/skip is about parked streams: one is named, or some are parked and the projection has not stopped. */
export async function actsOnParked(db: Knex, projection: string, stream: string | undefined): Promise<boolean> {
  if (stream) return true;
  const stopped = (await loadGenerations(db, projection)).some((g) => g.state === 'failed' || g.state === 'ahead-of-log');
  return !stopped && (await db('parked_events').where({ projection }).first()) !== undefined;
}

/** Asks for a retry of one parked stream, or of all; each is recorded in the log. Returns the streams. */
export async function retryParked(db: Knex, module: string, projection: string, stream: string | undefined, record?: OperatorRecord): Promise<ParkedStream[]> {
  const { g, streams } = await parkedIn(db, module, projection, stream);
  if (record) {
    await record.store.append(
      operatorStream('projection', module, projection),
      streams.map((s) => ({ type: ProjectionRetried.type, data: { module, projection, position: s.position, error: s.error }, metadata: { actor: record.actor, module: 'seams' } })),
    );
  }
  await requestRetry(db, g, stream);
  return streams;
}

/** Passes over a parked stream's first event for good (recorded in the log); the rest of the stream is retried. */
export async function skipParked(db: Knex, module: string, projection: string, stream: string | undefined, reason: string, record: OperatorRecord): Promise<{ stream: string; position: number }> {
  const { g, streams } = await parkedIn(db, module, projection, stream);
  if (streams.length > 1) throw new ConflictError(`${module}/${projection} has ${streams.length} parked streams; say which (--stream): ${streams.map((s) => s.stream).join(', ')}`);
  const [s] = streams as [ParkedStream];
  await record.store.append(operatorStream('projection', module, projection), [
    { type: ProjectionEventSkipped.type, data: { module, projection, position: s.position, eventId: s.eventId, error: s.error, reason }, metadata: { actor: record.actor, module: 'seams' } },
  ]);
  if (!(await dropFirst(db, g, s.stream))) throw new ConflictError(`${module}/${projection}: stream ${s.stream} changed while skipping; look again`);
  return { stream: s.stream, position: s.position };
}
