import { Command, Option } from 'commander';
import { NotFoundError } from '../errors.js';
import type { ModuleDefinition } from '../types/module.js';
import { listInstances, showInstance } from '../processes/inspect.js';
import type { ProcessTables } from '../processes/processTables.js';
import type { InstanceSummary } from '../types/process.js';
import { loadGenerations, physicalTable } from '../projections/generations.js';
import { UsageError, type CliIo } from './io.js';
import type { WithSession } from './projectionsCommand.js';
import type { CliSession } from './session.js';

/** The serving tables of a process, read from its module's database (works beside a running server). */
export async function processTablesOf(session: CliSession, module: ModuleDefinition, process: string): Promise<ProcessTables | undefined> {
  const serving = (await loadGenerations(await session.db(module.name), process)).find((g) => g.serving);
  if (!serving) return undefined;
  return { instances: physicalTable('instances', serving.generation), outbox: physicalTable('outbox', serving.generation), timers: physicalTable('timers', serving.generation) };
}

function processesOf(session: CliSession, type?: string) {
  const all = session.modules.flatMap((m) => m.processes.map((p) => ({ module: m, process: p.name })));
  if (type && !all.some((p) => p.process === type)) throw new UsageError(`no process type "${type}" (types: ${all.map((p) => p.process).join(', ') || 'none'})`);
  return type ? all.filter((p) => p.process === type) : all;
}

function table(rows: InstanceSummary[]): string {
  const lines = [['TYPE', 'ID', 'STATUS', 'STEP', 'ATTEMPTS', 'NEXT WAKE-UP'], ...rows.map((r) => [r.type, r.id, r.status, r.step ?? '', String(r.attempts), r.nextWakeAt ?? ''])];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines.map((l) => l.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export function processesCommand(run: WithSession, io: CliIo): Command {
  const processes = new Command('processes').description('process-manager instances: status, step, attempts, next wake-up');
  processes
    .command('list')
    .description('list instances')
    .option('--type <type>', 'one process type')
    .addOption(new Option('--status <status>', 'one status').choices(['running', 'compensating', 'completed', 'failed', 'compensated']))
    .option('--json', 'print JSON')
    .action((options: { type?: string; status?: string; json?: boolean }) =>
      run(async (session) => {
        const rows: InstanceSummary[] = [];
        for (const { module, process } of processesOf(session, options.type)) {
          const tables = await processTablesOf(session, module, process);
          if (tables) rows.push(...(await listInstances(await session.db(module.name), tables, process, module.name, { status: options.status })));
        }
        io.out(options.json ? JSON.stringify(rows, null, 2) : table(rows));
      }),
    );
  processes
    .command('show')
    .description('one instance: state, remembered steps, commands and timers')
    .argument('<type>', 'process type')
    .argument('<id>', 'instance id')
    .action((type: string, id: string) =>
      run(async (session) => {
        const [{ module }] = processesOf(session, type) as [{ module: ModuleDefinition; process: string }];
        const tables = await processTablesOf(session, module, type);
        const found = tables && (await showInstance(await session.db(module.name), tables, type, module.name, id));
        if (!found) throw new NotFoundError(`no ${type} instance ${id}`);
        io.out(JSON.stringify(found, null, 2));
      }),
    );
  return processes;
}
