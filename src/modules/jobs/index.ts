import { defineModule } from '../../kernel/index.js';
import { publicEvents } from './contracts.js';
import { privateJobEvents } from './job.js';
import { poolEvents } from './pool.js';
import { routes } from './routes.js';
import { stationCommands, stations, type StationHook } from './stations.js';
import { jobHistory, jobStatus } from './views.js';

export interface JobsOptions {
  /** Runs before each station's work; a throw is that station's error (tests use it to make one fail or hang). */
  beforeStation?: StationHook;
  /** The stations this process runs (default all): each only reacts to events, so they may be spread over processes. */
  stations?: readonly (keyof typeof stations)[];
}

/** jobs: a pipeline of stations with a status, a history and per-type pools of slots. */
export function jobsModule(options: JobsOptions = {}) {
  const running = options.stations ?? (Object.keys(stations) as (keyof typeof stations)[]);
  return defineModule({
    name: 'jobs',
    publicEvents,
    privateEvents: [...privateJobEvents, ...poolEvents],
    streams: ['job', 'pool'],
    commands: stationCommands(options.beforeStation),
    processes: running.map((name) => stations[name]),
    projections: [jobStatus, jobHistory],
    routes,
  });
}

export const jobs = jobsModule();
