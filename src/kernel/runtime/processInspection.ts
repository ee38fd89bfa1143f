import type { Knex } from 'knex';
import { NotFoundError } from '../errors.js';
import { conversationCommands, countInstances, listInstances, resubmitCommand, setAsideCommands, showInstance } from '../processes/inspect.js';
import type { OutboxRow, ProcessTables } from '../processes/processTables.js';
import type { ModuleDefinition } from '../types/module.js';
import type { CommandSummary, InstanceDetail, InstanceSummary, ProcessCounts, ProcessDefinition } from '../types/process.js';

/** A running module as the inspection sees it: its database, where each process's tables are, and its outbox's deliverer. */
export interface InspectedModule {
  definition: ModuleDefinition;
  db: Knex;
  tablesOf(process: ProcessDefinition): ProcessTables;
  engine: { wake(): void };
}

/** Every process of the modules running here, with its module. */
function* processesOf(modules: Iterable<InspectedModule>): Generator<{ m: InspectedModule; process: ProcessDefinition }> {
  for (const m of modules) for (const process of m.definition.processes) yield { m, process };
}

/** Process instances of the modules running here, optionally of one process type and status. */
export async function processInstances(modules: Iterable<InspectedModule>, filter: { type?: string; status?: string } = {}): Promise<InstanceSummary[]> {
  const found: InstanceSummary[] = [];
  for (const m of modules) {
    for (const process of m.definition.processes) {
      if (filter.type && filter.type !== process.name) continue;
      found.push(...(await listInstances(m.db, m.tablesOf(process), process.name, m.definition.name, filter)));
    }
  }
  return found;
}

export async function processInstance(modules: Iterable<InspectedModule>, type: string, id: string): Promise<InstanceDetail | undefined> {
  for (const m of modules) {
    const process = m.definition.processes.find((p) => p.name === type);
    if (process) return showInstance(m.db, m.tablesOf(process), type, m.definition.name, id);
  }
  return undefined;
}

export async function processCounts(modules: Iterable<InspectedModule>): Promise<ProcessCounts[]> {
  const counts: ProcessCounts[] = [];
  for (const { m, process } of processesOf(modules)) counts.push(await countInstances(m.db, m.tablesOf(process), process.name, m.definition.name));
  return counts;
}

/** The commands processes sent in one conversation, every process's, oldest first within each. */
export async function commandsOfConversation(modules: Iterable<InspectedModule>, correlationId: string): Promise<CommandSummary[]> {
  const found: CommandSummary[] = [];
  for (const { m, process } of processesOf(modules)) found.push(...(await conversationCommands(m.db, m.tablesOf(process), process.name, m.definition.name, correlationId)));
  return found;
}

export async function commandsSetAside(modules: Iterable<InspectedModule>, filter: { type?: string } = {}): Promise<CommandSummary[]> {
  const found: CommandSummary[] = [];
  for (const { m, process } of processesOf(modules)) {
    if (!filter.type || filter.type === process.name) found.push(...(await setAsideCommands(m.db, m.tablesOf(process), process.name, m.definition.name)));
  }
  return found;
}

/** Puts a set-aside command of a process running here back in its outbox and wakes the deliverer. */
export async function resubmit(modules: Iterable<InspectedModule>, type: string, instance: string, commandId: string): Promise<{ module: string; row: OutboxRow }> {
  for (const { m, process } of processesOf(modules)) {
    if (process.name !== type) continue;
    const row = await resubmitCommand(m.db, m.tablesOf(process), type, instance, commandId);
    m.engine.wake();
    return { module: m.definition.name, row };
  }
  throw new NotFoundError(`no process type ${type} runs in this process`);
}
