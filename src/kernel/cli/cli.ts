import { Command, CommanderError } from 'commander';
import { SeamsError, ValidationError } from '../errors.js';
import type { ModuleDefinition } from '../types/module.js';
import { contractsCommand } from './contractsCommand.js';
import { eventsCommand } from './eventsCommand.js';
import { processIo, UsageError, type CliIo } from './io.js';
import { migrateCommand } from './migrateCommand.js';
import { moduleCommands } from './moduleCommands.js';
import { modulesCommand } from './modulesCommand.js';
import { newCommand } from './newCommand.js';
import { projectionsCommand, type WithSession } from './projectionsCommand.js';
import { processesCommand } from './processesCommand.js';
import { historyCommand } from './historyCommand.js';
import { serveCommand } from './serveCommand.js';
import { splitCommand } from './splitCommand.js';
import { CliSession } from './session.js';

export interface CliOptions {
  modules: readonly ModuleDefinition[];
  io?: CliIo;
  /** Extra commands from the composition root (e.g. `serve`), added beside the kernel's. */
  extend?: (program: Command, withSession: WithSession) => void;
}

/**
 * The `seams` command. Returns the exit code: 0 ok, 1 the operation failed, 2 bad usage.
 * Errors are one line on stderr, never a stack trace.
 */
export async function runCli(argv: readonly string[], options: CliOptions): Promise<number> {
  const io = options.io ?? processIo;
  let dataDir: string | undefined;
  const withSession: WithSession = async (action) => {
    const session = new CliSession(options.modules, dataDir);
    try {
      await action(session);
    } finally {
      await session.close();
    }
  };

  const program = new Command('seams')
    .description('operate a seams application: projections, processes, events, migrations, modules, and the commands modules add (users)')
    .option('--data-dir <dir>', 'data directory (default: $SEAMS_DATA_DIR or ./data)')
    .hook('preAction', (cmd) => {
      dataDir = cmd.opts<{ dataDir?: string }>().dataDir;
    });
  program.addCommand(projectionsCommand(withSession, io));
  program.addCommand(eventsCommand(withSession, io));
  program.addCommand(migrateCommand(withSession, io));
  program.addCommand(modulesCommand(options.modules, io));
  program.addCommand(processesCommand(withSession, io));
  program.addCommand(serveCommand(options.modules, io));
  for (const command of moduleCommands(options.modules, withSession, io)) program.addCommand(command);
  program.addCommand(splitCommand(options.modules, io));
  program.addCommand(historyCommand(withSession, io));
  program.addCommand(contractsCommand(options.modules, io));
  program.addCommand(newCommand(options.modules, io));
  options.extend?.(program, withSession);

  const configure = (cmd: Command) => {
    cmd.exitOverride();
    cmd.configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s), outputError: () => undefined });
    cmd.commands.forEach(configure);
  };
  configure(program);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0; // --help, --version
      io.err(`seams: ${error.message.replace(/^error: /, '')}`);
      return 2;
    }
    if (error instanceof UsageError || error instanceof ValidationError) {
      io.err(`seams: ${error.message.split('\n')[0]}`);
      return 2;
    }
    const message = error instanceof SeamsError || error instanceof Error ? error.message : String(error);
    io.err(`seams: ${message.split('\n').join(' ')}`);
    return 1;
  }
}
