/**
 * What the campaign tells a person: a progress line while it runs, and at the end the faults
 * injected, the operations done, the time to quiet, the violations, and as the last line one
 * JSON object (keys faults, operations, acknowledged, lost, duplicated, violations).
 */
import type { Verdict } from './checker.js';
import type { InjectedFault } from './faults.js';
import type { History } from './history.js';

export interface Outcome {
  seed: number;
  store: string;
  minutes: number;
  faults: InjectedFault[];
  history: History;
  operations: number;
  quietMs: number | null;
  /** Processes that exited without a fault killing them (then started again). */
  unplannedExits: string[];
  verdict: Verdict;
  dataDir?: string;
}

const clock = (ms: number) => `${Math.floor(ms / 60_000)}:${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}`;

export function answers(history: History): { ok: number; refused: number; unknown: number } {
  const w = history.writes;
  return {
    ok: w.filter((r) => r.status !== null && r.status < 300).length,
    refused: w.filter((r) => r.status !== null && r.status >= 400 && r.status < 500).length,
    unknown: w.filter((r) => r.status === null || r.status >= 500).length,
  };
}

export function progressLine(o: { seed: number; store: string; elapsedMs: number; totalMs: number; operations: number; history: History; faults: InjectedFault[]; planned: number; phase: string }): string {
  const a = answers(o.history);
  const last = o.faults.at(-1);
  return `chaos seed ${o.seed} ${o.store} ${o.phase} ${clock(o.elapsedMs)}/${clock(o.totalMs)}  ops ${o.operations} (2xx ${a.ok}, 4xx ${a.refused}, no answer/5xx ${a.unknown})  faults ${o.faults.length}/${o.planned}${last ? ` (last: ${last.what}${last.outcome === 'done' ? '' : `, ${last.outcome}`})` : ''}`;
}

/** The last line: one JSON object. */
export function summary(outcome: Outcome): Record<string, unknown> {
  return {
    seed: outcome.seed,
    store: outcome.store,
    faults: outcome.faults.filter((f) => f.outcome === 'done').length,
    operations: outcome.operations,
    acknowledged: outcome.verdict.acknowledged,
    lost: outcome.verdict.lost,
    duplicated: outcome.verdict.duplicated,
    redelivered: outcome.verdict.redelivered,
    violations: outcome.verdict.violations,
    quietMs: outcome.quietMs,
    unplannedExits: outcome.unplannedExits.length,
  };
}

export function reportLines(outcome: Outcome): string[] {
  const a = answers(outcome.history);
  const byKind = new Map<string, number>();
  for (const f of outcome.faults) if (f.outcome === 'done') byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);
  const writes = new Map<string, number>();
  for (const w of outcome.history.writes) writes.set(w.kind, (writes.get(w.kind) ?? 0) + 1);
  const lines = [
    `chaos: seed ${outcome.seed}, ${outcome.store}, ${outcome.minutes} min`,
    `faults: ${[...byKind].map(([k, n]) => `${k} ×${n}`).join(', ') || 'none'}`,
    ...outcome.faults.map((f) => `  ${clock(f.atMs)} ${f.kind.padEnd(8)} ${f.what}${f.outcome === 'done' ? '' : ` — ${f.outcome}${f.detail ? `: ${f.detail}` : ''}`} (${(f.tookMs / 1000).toFixed(1)} s)`),
    `operations: ${outcome.operations} (${outcome.history.writes.length} writes, ${outcome.history.reads} reads): ${[...writes].map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `answers: 2xx ${a.ok}, 4xx ${a.refused}, no answer or 5xx ${a.unknown} (retried with the same idempotency key where a POST)`,
    `processes that exited by themselves (started again): ${outcome.unplannedExits.length}`,
    ...outcome.unplannedExits.slice(0, 20).map((e) => `  ${e}`),
    `time to quiet: ${outcome.quietMs === null ? 'not quiet' : `${(outcome.quietMs / 1000).toFixed(1)} s`}`,
    `acknowledged ${outcome.verdict.acknowledged}, lost ${outcome.verdict.lost}, duplicated ${outcome.verdict.duplicated}, violations ${outcome.verdict.violations.length}; mails delivered again with their Message-ID: ${outcome.verdict.redelivered}`,
    ...outcome.verdict.violations.slice(0, 50).map((v) => `  ✗ ${v}`),
    ...(outcome.verdict.violations.length > 50 ? [`  … and ${outcome.verdict.violations.length - 50} more (all in the JSON line)`] : []),
    ...(outcome.dataDir ? [`data directory kept: ${outcome.dataDir}`] : []),
    JSON.stringify(summary(outcome)),
  ];
  return lines;
}
