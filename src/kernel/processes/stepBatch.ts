import type { Knex } from 'knex';
import { insertRows, sendTogether, type Statement } from '../sqlite/oneTrip.js';
import { chunks } from '../sqlite/statementChunks.js';
import { lockInstance, type InstanceSteps, type StepWrite } from './advance.js';
import type { TimerChange } from './instance.js';
import type { InstanceRow, OriginRow, ProcessTables } from './processTables.js';

/** Rows per statement, by columns (sqlite/statementChunks.ts). */
const INSTANCES_PER_STATEMENT = 90; // 10 columns
const COMMANDS_PER_STATEMENT = 80; // 11 columns
const TIMERS_PER_STATEMENT = 150; // 6 columns
const IDS_PER_STATEMENT = 500;

type TimerRow = { instance_id: string; name: string; due_at: number } & OriginRow;

/**
 * The steps of one runner batch, held in memory and written at its end. Written row by row, a
 * job's three stations took some twenty statements a job on the module's one writer connection
 * (an instance read, an instance write, an outbox insert, a timer delete for each event), which
 * was busy 85-95 % of the time under bench:jobs. Here a batch reads its instances in one query
 * (`prefetch`), steps them in memory in log order, and writes every changed instance, command
 * and timer in a few multi-row statements (`flush`), in the batch's transaction as before: the
 * batch commits whole with its checkpoint or not at all.
 *
 * Timer changes of an instance are folded in order (a clear drops what was set before it; a
 * cancel after a set deletes it), so the writes at the end leave what the changes one by one would.
 */
export class StepBatch implements InstanceSteps {
  /** Every instance this batch has looked at, as it stands now (undefined: none with that id). */
  private readonly rows = new Map<string, InstanceRow | undefined>();
  private readonly changed = new Set<string>();
  private outbox: StepWrite['outbox'] = [];
  /** Per instance: whether its timers were cleared, then the named timers set (a row) or cancelled (null). */
  private timers = new Map<string, { cleared: boolean; named: Map<string, TimerRow | null> }>();

  constructor(
    readonly trx: Knex.Transaction,
    private readonly tables: ProcessTables,
  ) {}

  /** Reads (and, on PostgreSQL, locks, in id order) the instances the batch's events name, in a few queries. */
  async prefetch(ids: readonly string[]): Promise<void> {
    const unseen = [...new Set(ids)].filter((id) => !this.rows.has(id)).sort();
    for (const chunk of chunks(unseen, IDS_PER_STATEMENT)) {
      const query = this.trx(this.tables.instances).whereIn('id', chunk).orderBy('id');
      const found = (await (this.trx.client.config.client === 'pg' ? query.forUpdate() : query)) as InstanceRow[];
      for (const id of chunk) this.rows.set(id, undefined);
      for (const row of found) this.rows.set(row.id, row);
    }
  }

  async lock(instanceId: string): Promise<InstanceRow | undefined> {
    if (!this.rows.has(instanceId)) this.rows.set(instanceId, await lockInstance(this.trx, this.tables, instanceId));
    return this.rows.get(instanceId);
  }

  async write({ row, outbox, timers }: StepWrite): Promise<void> {
    this.rows.set(row.id, row);
    this.changed.add(row.id);
    this.outbox.push(...outbox);
    for (const change of timers) this.foldTimer(row.id, change);
  }

  /** The running instances of a correlation, oldest first, as the batch has them so far (it writes what it holds first). */
  async correlated(key: string, running: readonly string[]): Promise<string[]> {
    await this.flush();
    return this.trx(this.tables.instances).where({ correlation: key }).whereIn('status', running).orderBy('created_at').pluck('id');
  }

  /** Writes what the batch's steps changed (in one trip on SQLite); the instances stay known for the rest of the batch. */
  async flush(): Promise<void> {
    const { tables } = this;
    const writes: Statement[] = [];
    const rows = [...this.changed].map((id) => this.rows.get(id)!);
    for (const chunk of chunks(rows, INSTANCES_PER_STATEMENT)) writes.push(insertRows(tables.instances, chunk, ['id']));
    // In the order the steps decided them: an instance's commands go out in this order (seq).
    for (const chunk of chunks(this.outbox, COMMANDS_PER_STATEMENT)) writes.push(insertRows(tables.outbox, chunk));
    const cleared = [...this.timers].filter(([, t]) => t.cleared).map(([id]) => id);
    for (const chunk of chunks(cleared, IDS_PER_STATEMENT)) writes.push({ sql: `DELETE FROM "${tables.timers}" WHERE instance_id IN (${chunk.map(() => '?').join(', ')})`, bindings: chunk });
    const set: TimerRow[] = [];
    for (const [id, { named }] of this.timers) {
      for (const [name, timer] of named) {
        if (timer) set.push(timer);
        else writes.push({ sql: `DELETE FROM "${tables.timers}" WHERE instance_id = ? AND name = ?`, bindings: [id, name] });
      }
    }
    for (const chunk of chunks(set, TIMERS_PER_STATEMENT)) writes.push(insertRows(tables.timers, chunk, ['instance_id', 'name']));
    await sendTogether(this.trx, writes);
    this.changed.clear();
    this.outbox = [];
    this.timers = new Map();
  }

  private foldTimer(instanceId: string, change: TimerChange & OriginRow): void {
    const timers = this.timers.get(instanceId) ?? { cleared: false, named: new Map<string, TimerRow | null>() };
    this.timers.set(instanceId, timers);
    const { correlation_id, causation_id, traceparent } = change;
    if ('clear' in change) {
      timers.cleared = true;
      timers.named.clear();
    } else if ('cancel' in change) timers.named.set(change.cancel, null);
    else timers.named.set(change.set, { instance_id: instanceId, name: change.set, due_at: change.at, correlation_id, causation_id, traceparent });
  }
}
