import { Command, Option } from 'commander';
import { ownEvents, readers } from '../modules/defineModule.js';
import { assembleModules } from '../runtime/assemble.js';
import type { ModuleDefinition } from '../types/module.js';
import { UsageError, type CliIo } from './io.js';
import { splitPlan, type Deployable } from './splitPlan.js';

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

/**
 * The module graph as a mermaid flowchart: events flow publisher → consumer; commands and queries
 * caller → owner. Given a split, each deployable is a box with its store, and what crosses between
 * them says how (events through RabbitMQ, commands and queries over HTTP).
 */
export function mermaid(modules: readonly ModuleDefinition[], deployables?: readonly Deployable[]): string {
  const lines = ['flowchart LR'];
  const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  const node = (m: ModuleDefinition, indent = '  ') => `${indent}${m.name}["${m.name}<br/>${count(ownEvents(m).length, 'event')}, ${count(m.projections.length, 'projection')}, ${count(m.processes.length, 'process', 'processes')}"]`;
  if (!deployables) for (const m of modules) lines.push(node(m));
  for (const d of deployables ?? []) {
    lines.push(`  subgraph deployable_${d.name}["${d.ownStore ? `${d.name}: extracted, a store of its own` : `${d.name}: the shared store`}"]`);
    for (const m of modules.filter((x) => d.modules.includes(x.name))) lines.push(node(m, '    '));
    lines.push('  end');
  }
  const home = (module: string) => deployables?.find((d) => d.modules.includes(module))?.name;
  const across = (from: string, to: string, how: string) => (deployables && home(from) !== home(to) ? ` ${how}` : '');
  for (const m of modules) {
    const s = summarize(m);
    const byOwner = new Map<string, string[]>();
    for (const type of s.consumes) {
      const owner = type.split('.')[0]!;
      byOwner.set(owner, [...(byOwner.get(owner) ?? []), type.split('.')[1]!]);
    }
    for (const [owner, events] of byOwner) lines.push(`  ${owner} -- "${events.join(', ')}${across(owner, m.name, 'via RabbitMQ')}" --> ${m.name}`);
    for (const c of sentToOthers(m)) lines.push(`  ${m.name} -. "send ${c.type.split('.')[1]}${across(m.name, c.module, 'over HTTP')}" .-> ${c.module}`);
    for (const q of m.asks) lines.push(`  ${m.name} == "query ${q.type.split('.')[1]}${across(m.name, q.module, 'over HTTP')}" ==> ${q.module}`);
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
    .option('--extract <list>', 'mermaid: draw the split of `seams split --extract <list>`, each deployable a box')
    .action((options: { format: 'text' | 'json' | 'mermaid'; extract?: string }) => {
      const extract = options.extract?.split(',').map((m) => m.trim()).filter(Boolean);
      if (extract && options.format !== 'mermaid') throw new UsageError('--extract draws a split: it goes with --format mermaid');
      const deployables = extract && splitPlan(modules.map((m) => m.name), extract, '.');
      // As the kernel runs them: with the replicas it attaches (each module's ended sessions).
      const running = assembleModules(modules);
      if (options.format === 'json') io.out(JSON.stringify(running.map(summarize), null, 2));
      else if (options.format === 'mermaid') io.out(mermaid(running, deployables));
      else io.out(text(running));
    });
}
