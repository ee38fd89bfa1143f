import { Command } from 'commander';
import { conversationCommands } from '../processes/inspect.js';
import { conversation } from '../processes/conversation.js';
import type { CommandSummary } from '../types/process.js';
import { nonNegativeInteger, positiveInteger } from './argParsers.js';
import type { CliIo } from './io.js';
import { UsageError } from './io.js';
import { processTablesOf } from './processesCommand.js';
import type { WithSession } from './projectionsCommand.js';
import type { CliSession } from './session.js';

/** The commands every process sent in one conversation, read from the module databases. */
async function commandsOf(session: CliSession, correlationId: string): Promise<CommandSummary[]> {
  const found: CommandSummary[] = [];
  for (const module of session.modules) {
    for (const process of module.processes) {
      const tables = await processTablesOf(session, module, process.name);
      if (tables) found.push(...(await conversationCommands(await session.db(module.name), tables, process.name, module.name, correlationId)));
    }
  }
  return found;
}

export function eventsCommand(run: WithSession, io: CliIo): Command {
  const events = new Command('events').description('read the event log');
  events
    .command('read')
    .description('print events as JSON lines: one stream, the log after a position, or one conversation (with the commands its processes sent)')
    .option('--stream <stream>', 'one stream, in revision order')
    .option('--after <position>', 'the log after this global position', nonNegativeInteger)
    .option('--correlation <id>', 'one conversation in order: the request, its events, and after each event the commands it made processes send (lines with "kind")')
    .option('--limit <n>', 'at most n events', positiveInteger, 100)
    .action((options: { stream?: string; after?: number; correlation?: string; limit: number }) =>
      run(async (session) => {
        // --after alone reads the log; with --correlation it is where the conversation is read from.
        const modes = [options.stream !== undefined, options.correlation !== undefined, options.after !== undefined && options.correlation === undefined];
        if (modes.filter(Boolean).length !== 1) throw new UsageError('give exactly one of --stream S, --after N or --correlation ID (which may take --after)');
        const store = await session.openStore();
        if (options.correlation !== undefined) {
          const found = await store.readAll({ after: options.after ?? 0, maxCount: options.limit, filter: { correlationId: options.correlation } });
          for (const entry of conversation(options.correlation, found, await commandsOf(session, options.correlation))) io.out(JSON.stringify(entry));
          return;
        }
        const found = options.stream !== undefined
          ? await store.readStream(options.stream, { maxCount: options.limit })
          : await store.readAll({ after: options.after, maxCount: options.limit });
        for (const event of found) io.out(JSON.stringify(event));
      }),
    );
  return events;
}
