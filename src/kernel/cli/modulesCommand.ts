import { Command, Option } from 'commander';
import { ownEvents, readers } from '../modules/defineModule.js';
import type { ModuleDefinition } from '../types/module.js';
import type { CliIo } from './io.js';

export interface ModuleSummary {
  module: string;
  tables: string[];
  publishes: string[];
  privateEvents: string[];
  consumes: string[];
  commands: string[];
  queries: string[];
  sends: string[];
  asks: string[];
}

/** Other modules' commands this module sends, directly or from its processes. */
function sentToOthers(m: ModuleDefinition) {
  const all = [...m.sends, ...m.processes.flatMap((p) => p.sends)].filter((c) => c.module !== m.name);
  return all.filter((c, i) => all.findIndex((x) => x.type === c.type) === i);
}

export function summarize(m: ModuleDefinition): ModuleSummary {
  const consumed = new Set(readers(m).flatMap((p) => p.consumes.filter((c) => c.module !== m.name).map((c) => c.type)));
  return {
    module: m.name,
    tables: m.projections.flatMap((p) => Object.keys(p.tables).map((t) => `${p.name}.${t}`)),
    publishes: m.publicEvents.map((e) => e.type),
    privateEvents: m.privateEvents.map((e) => e.type),
    consumes: [...consumed].sort(),
    commands: m.commands.map((h) => h.command.type),
    queries: m.queries.map((h) => h.query.type),
    sends: sentToOthers(m).map((c) => c.type),
    asks: m.asks.map((q) => q.type),
  };
}

/** The module graph as a mermaid flowchart: events flow publisher → consumer; commands and queries caller → owner. */
export function mermaid(modules: readonly ModuleDefinition[]): string {
  const lines = ['flowchart LR'];
  const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  for (const m of modules) lines.push(`  ${m.name}["${m.name}<br/>${count(ownEvents(m).length, 'event')}, ${count(m.projections.length, 'projection')}, ${count(m.processes.length, 'process', 'processes')}"]`);
  for (const m of modules) {
    const s = summarize(m);
    const byOwner = new Map<string, string[]>();
    for (const type of s.consumes) {
      const owner = type.split('.')[0]!;
      byOwner.set(owner, [...(byOwner.get(owner) ?? []), type.split('.')[1]!]);
    }
    for (const [owner, events] of byOwner) lines.push(`  ${owner} -- "${events.join(', ')}" --> ${m.name}`);
    for (const c of sentToOthers(m)) lines.push(`  ${m.name} -. "send ${c.type.split('.')[1]}" .-> ${c.module}`);
    for (const q of m.asks) lines.push(`  ${m.name} == "query ${q.type.split('.')[1]}" ==> ${q.module}`);
  }
  return lines.join('\n');
}

function text(modules: readonly ModuleDefinition[]): string {
  return modules
    .map((m) => {
      const s = summarize(m);
      const list = (label: string, items: string[]) => `  ${label.padEnd(16)}${items.length ? items.join(', ') : '-'}`;
      return [
        m.name,
        list('tables', s.tables),
        list('publishes', s.publishes),
        list('private events', s.privateEvents),
        list('consumes', s.consumes),
        list('commands', s.commands),
        list('queries', s.queries),
        list('sends', s.sends),
        list('asks', s.asks),
      ].join('\n');
    })
    .join('\n\n');
}

export function modulesCommand(modules: readonly ModuleDefinition[], io: CliIo): Command {
  return new Command('modules')
    .description('each module: tables, events published and consumed, commands, queries; or the module graph')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'mermaid']).default('text'))
    .action((options: { format: 'text' | 'json' | 'mermaid' }) => {
      if (options.format === 'json') io.out(JSON.stringify(modules.map(summarize), null, 2));
      else if (options.format === 'mermaid') io.out(mermaid(modules));
      else io.out(text(modules));
    });
}
