import { Command } from 'commander';
import { nonNegativeInteger, positiveInteger } from './argParsers.js';
import type { CliIo } from './io.js';
import { UsageError } from './io.js';
import type { WithSession } from './projectionsCommand.js';

export function eventsCommand(run: WithSession, io: CliIo): Command {
  const events = new Command('events').description('read the event log');
  events
    .command('read')
    .description('print events as JSON lines: one stream, or the log after a position')
    .option('--stream <stream>', 'one stream, in revision order')
    .option('--after <position>', 'the log after this global position', nonNegativeInteger)
    .option('--limit <n>', 'at most n events', positiveInteger, 100)
    .action((options: { stream?: string; after?: number; limit: number }) =>
      run(async (session) => {
        if ((options.stream === undefined) === (options.after === undefined)) throw new UsageError('give exactly one of --stream S or --after N');
        const store = await session.openStore();
        const found = options.stream !== undefined
          ? await store.readStream(options.stream, { maxCount: options.limit })
          : await store.readAll({ after: options.after, maxCount: options.limit });
        for (const event of found) io.out(JSON.stringify(event));
      }),
    );
  return events;
}
