import { Command } from 'commander';
import { copyHistory, type HistoryCopy } from '../broker/history.js';
import { openStore } from '../event-store/openStore.js';
import { registryOf } from '../modules/registry.js';
import { assembleModules } from '../runtime/assemble.js';
import type { SeamsConfig } from '../types/config.js';
import type { ModuleDefinition } from '../types/module.js';
import type { CliIo } from './io.js';
import type { WithSession } from './projectionsCommand.js';
import type { CliSession } from './session.js';

/** Where an extracted module's own store is: a data directory (SQLite) or, on PostgreSQL, a schema prefix of its own. */
export interface TargetStore {
  dataDir: string;
  pgSchemaPrefix?: string;
}

/** Copies one module's history from the session's store into its own store (see copyHistory), reporting progress on stderr. */
export async function copyModuleHistory(session: CliSession, module: ModuleDefinition, target: TargetStore, fromStore: string, io: CliIo): Promise<HistoryCopy> {
  const from = await session.openStore();
  const config: SeamsConfig = { ...session.config, dataDir: target.dataDir, ...(target.pgSchemaPrefix ? { pgSchemaPrefix: target.pgSchemaPrefix } : {}) };
  const to = await openStore(config, registryOf(session.modules));
  const began = Date.now();
  let lastLine = began;
  try {
    const copy = await copyHistory(from, to, module, assembleModules(session.modules), fromStore, (p) => {
      if (Date.now() - lastLine > 2000) {
        lastLine = Date.now();
        io.err(`${module.name}: copied ${p.own + p.received} events, position ${p.upTo} of ${p.head}`);
      }
    });
    io.err(`${module.name}: ${copy.own} events of its own streams and ${copy.received} it consumes from other modules copied up to position ${copy.upTo} (${((Date.now() - began) / 1000).toFixed(1)} s)`);
    return copy;
  } finally {
    await to.close();
  }
}

export function historyCommand(run: WithSession, io: CliIo): Command {
  const history = new Command('history').description("an extracted module's history");
  history
    .command('copy')
    .description(
      "copy a module's history into the store of its own it runs on once extracted: its own streams (same ids and revisions) and the public events it consumes; " +
        'run it with the module stopped; safe to interrupt and run again',
    )
    .argument('<module>', 'the module being extracted')
    .requiredOption('--to-data-dir <dir>', 'the data directory of its own store')
    .option('--to-schema-prefix <prefix>', 'on PostgreSQL: the schema prefix of its own store')
    .option('--from-store <name>', 'the name the current store has in position tokens', 'main')
    .action((name: string, options: { toDataDir: string; toSchemaPrefix?: string; fromStore: string }) =>
      run(async (session) => {
        await copyModuleHistory(session, session.module(name), { dataDir: options.toDataDir, pgSchemaPrefix: options.toSchemaPrefix }, options.fromStore, io);
      }),
    );
  return history;
}
