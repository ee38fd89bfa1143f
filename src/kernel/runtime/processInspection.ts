import { listInstances, showInstance } from '../processes/inspect.js';
import type { ProcessTables } from '../processes/processTables.js';
import type { ModuleDefinition } from '../types/module.js';
import type { InstanceDetail, InstanceSummary, ProcessDefinition } from '../types/process.js';
import type { Knex } from 'knex';

/** A running module as the inspection sees it: its database and where each process's tables are. */
export interface InspectedModule {
  definition: ModuleDefinition;
  db: Knex;
  tablesOf(process: ProcessDefinition): ProcessTables;
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
