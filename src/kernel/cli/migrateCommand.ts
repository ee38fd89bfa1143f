import { Command } from 'commander';
import type { CliIo } from './io.js';
import type { WithSession } from './projectionsCommand.js';

export function migrateCommand(run: WithSession, io: CliIo): Command {
  return new Command('migrate')
    .description("bring the event store and every module's own database to their latest migrations")
    .action(() =>
      run(async (session) => {
        await session.openStore(); // the store migrates its own schema on open
        io.out(`event store (${session.config.store}): up to date`);
        for (const module of session.modules) {
          let applied: string[] = [];
          await session.db(module.name, (names) => (applied = names));
          io.out(`${module.name}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
        }
      }),
    );
}
