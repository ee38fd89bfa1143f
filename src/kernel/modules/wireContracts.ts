import { z } from 'zod';
import { breakingChanges, type JsonSchema } from '../contracts/wireCompatibility.js';
import type { ModuleDefinition } from '../types/module.js';
import { readers } from './defineModule.js';

/** One public message as it travels between deployables: its JSON Schemas (from zod) and who uses it. */
export interface WireContract {
  kind: 'event' | 'command' | 'query';
  module: string;
  /** Events: the schema version appends are stored with. */
  version?: number;
  /** Events: the data; commands: what a sender sends. */
  schema?: JsonSchema;
  args?: JsonSchema;
  result?: JsonSchema;
  /** The other modules that consume the event, send the command or ask the query. */
  usedBy: string[];
}

/** Every module's public events, the commands other modules send, and the queries: by type, sorted. */
export type ContractSnapshot = Record<string, WireContract>;

export interface ContractFinding {
  type: string;
  problem: string;
  usedBy: string[];
  advice: string;
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** The wire contracts of an application's modules, as the kernel runs them. */
export function wireContracts(modules: readonly ModuleDefinition[]): ContractSnapshot {
  const others = (owner: string, uses: (m: ModuleDefinition) => boolean) => modules.filter((m) => m.name !== owner && uses(m)).map((m) => m.name).sort();
  const consumes = (m: ModuleDefinition, type: string) => readers(m).some((r) => r.consumes.some((c) => c.type === type));
  const snapshot: ContractSnapshot = {};
  for (const m of modules) {
    for (const e of m.publicEvents) {
      snapshot[e.type] = { kind: 'event', module: m.name, version: e.schemaVersion, schema: jsonSchema(e.schema, 'output'), usedBy: others(m.name, (x) => consumes(x, e.type)) };
    }
    for (const { command } of m.commands) {
      const usedBy = others(m.name, (x) => x.sends.some((c) => c.type === command.type));
      if (usedBy.length > 0) snapshot[command.type] = { kind: 'command', module: m.name, schema: jsonSchema(command.schema, 'input'), usedBy };
    }
    for (const { query } of m.queries) {
      snapshot[query.type] = { kind: 'query', module: m.name, args: jsonSchema(query.args, 'input'), result: jsonSchema(query.result, 'output'), usedBy: others(m.name, (x) => x.asks.some((q) => q.type === query.type)) };
    }
  }
  return Object.fromEntries(Object.entries(snapshot).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Compares the modules' contracts now with a snapshot. A breaking change to an event passes only
 * when its version was raised (defineEvent then insists on an upcaster from every older version,
 * so what is stored and what is in flight is lifted); to a command or a query, never: add a new
 * one beside it. `changed` lists what differs without breaking (the snapshot wants an update).
 */
export function compareContracts(snapshot: ContractSnapshot, modules: readonly ModuleDefinition[]): { breaking: ContractFinding[]; changed: string[] } {
  const now = wireContracts(modules);
  const breaking: ContractFinding[] = [];
  const changed: string[] = [];
  const event = (type: string) => modules.flatMap((m) => m.publicEvents).find((e) => e.type === type);
  for (const [type, before] of Object.entries(snapshot)) {
    const after = now[type];
    if (!after) {
      if (before.usedBy.length > 0) breaking.push({ type, problem: `${before.kind} removed`, usedBy: before.usedBy, advice: `keep it until ${before.usedBy.join(', ')} no longer use it` });
      else changed.push(`${type}: removed (nobody used it)`);
      continue;
    }
    const problems =
      before.kind === 'query'
        ? [...breakingChanges(before.args ?? {}, after.args ?? {}).map((c) => `arguments: ${c}`), ...breakingChanges(before.result ?? {}, after.result ?? {}).map((c) => `result: ${c}`)]
        : breakingChanges(before.schema ?? {}, after.schema ?? {});
    const usedBy = [...new Set([...before.usedBy, ...after.usedBy])].sort();
    if (before.kind === 'event' && (after.version ?? 1) < (before.version ?? 1)) {
      breaking.push({ type, problem: `version lowered from ${before.version} to ${after.version}`, usedBy, advice: 'a version only goes up' });
    } else if (problems.length > 0 && before.kind === 'event' && (after.version ?? 1) > (before.version ?? 1) && event(type)?.upcasters.has(before.version ?? 1)) {
      changed.push(`${type}: version ${before.version} → ${after.version} (${problems.join('; ')}), with an upcaster from version ${before.version}`);
    } else if (problems.length > 0) {
      const advice = before.kind === 'event' ? `raise its version to ${(before.version ?? 1) + 1} and register an upcaster from version ${before.version ?? 1}` : `add a new ${before.kind} beside it and move ${usedBy.join(', ') || 'its users'} over`;
      breaking.push({ type, problem: problems.join('; '), usedBy, advice });
    } else if (JSON.stringify(before) !== JSON.stringify(after)) {
      changed.push(`${type}: changed without breaking anything`);
    }
  }
  for (const type of Object.keys(now)) if (!snapshot[type]) changed.push(`${type}: new`);
  return { breaking, changed };
}
