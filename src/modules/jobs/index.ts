import { defineModule } from '../../kernel/index.js';
import { commands, type StationHook } from './commands.js';
import { jobsConfig } from './config.js';
import { publicEvents } from './contracts.js';
import { privateEvents } from './events.js';
import { prepareStation, validateStation } from './processes/checkStations.js';
import { scheduleStation } from './processes/scheduleStation.js';
import { routes } from './routes.js';
import { jobHistory } from './views/jobHistory.js';
import { jobStatus } from './views/jobStatus.js';

const stations = { validate: validateStation, prepare: prepareStation, schedule: scheduleStation };

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
    privateEvents,
    streams: ['job', 'pool'],
    config: jobsConfig,
    commands: commands(options.beforeStation),
    processes: running.map((name) => stations[name]),
    projections: [jobStatus, jobHistory],
    routes,
  });
}

export const jobs = jobsModule();
