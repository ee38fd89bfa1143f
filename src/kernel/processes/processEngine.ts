import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { isDatabaseUnavailable, SeamsError, WrongExpectedRevisionError } from '../errors.js';
import { inSpan, SpanKind, traceparentOf } from '../telemetry/tracing.js';
import type { CommandMeta } from '../types/module.js';
import type { ProcessDefinition, RetryPolicy } from '../types/process.js';
import { advance, lockInstance, originOf, stepsIn, type ProcessEnv } from './advance.js';
import { Alarm } from './alarm.js';
import { DueTimes } from './dueTimes.js';
import { markDelivered } from './outboxMarks.js';
import type { OriginRow, OutboxRow, ProcessTables } from './processTables.js';
import { Fenced, type Fence } from '../projections/fence.js';

/** `maxAttempts`: deliveries per command before it is given up as failed (then the process hears of it). A process's own `retry` wins. */
export interface ProcessEngineOptions extends RetryPolicy {
  /**
   * The longest an idle loop sleeps before it looks again, for what another process wrote (a
   * previous leader); default 1000 ms. This process's own writes wake it at once, and its retries
   * and timers when they fall due.
   */
  pollMs?: number;
  /** How long a pass waits for the projections a process reads (waitsFor) before its due timers; default 5000 ms. */
  timerCatchUpMs?: number;
}

export type Dispatch = (type: string, data: unknown, meta: CommandMeta) => Promise<void>;

/** What the engine needs of its module: the database, each process's tables, and what decisions read. */
export interface EngineHost {
  db: Knex;
  /**
   * Where it looks for due commands and timers (the module's reader, on SQLite a connection of
   * its own): those looks, one of each per pass, then do not wait in line for the writer
   * connection, nor hold it. Rows committed before a pass are there; each is written on `db`.
   */
  reader?: Knex;
  tablesOf(process: ProcessDefinition): ProcessTables;
  env: ProcessEnv;
  /** The module's fence (in a cluster): delivery marks and timers are written only while it holds. */
  fence?: Fence;
  /** Lets a projection catch up with the log (bounded) before a timer's decision reads it. */
  catchUp(timeoutMs: number, projection: string): Promise<boolean>;
}

/**
 * Runs the parts of a module's processes that happen after a commit: it delivers outbox
 * commands in order per instance (retrying with exponential backoff; a refusal — a 4xx — is not
 * retried) and fires due timers. Everything it changes is written in a transaction with the
 * instance, so after a crash it resumes where it stopped.
 */
export class ProcessEngine {
  private abort = new AbortController();
  private running: Promise<void> | undefined;
  /** Each process's wake-up: its loop sleeps on it between passes. */
  private readonly alarms = new Map<string, Alarm>();
  /** Rows whose backoff could not be written (process/seq → not before), so they are not sent again at once. */
  private readonly heldBack = new Map<string, number>();
  /** When each process next has work this engine knows of without looking: its retries put off, its next timer. */
  private readonly dueTimes = new Map<string, DueTimes>();

  constructor(
    private readonly host: EngineHost,
    private readonly processes: readonly ProcessDefinition[],
    private readonly dispatch: Dispatch,
    private readonly log: Logger,
    private readonly options: ProcessEngineOptions = {},
  ) {}

  start(): void {
    if (this.running || this.processes.length === 0) return;
    this.abort = new AbortController();
    // A loop per process: one station's long pass (a hundred deliveries) never holds up another's.
    const loops = this.processes.map((process) => this.loop(process).catch((error) => this.log.error({ err: error, process: process.name }, 'process engine stopped unexpectedly')));
    this.running = Promise.all(loops).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    for (const alarm of this.alarms.values()) alarm.ring();
    await this.running;
    this.running = undefined;
  }

  /** Something new may be in an outbox (of `process`, or of any): look now instead of at the next poll. */
  wake(process?: string): void {
    if (process === undefined) for (const alarm of this.alarms.values()) alarm.ring();
    else this.alarms.get(process)?.ring();
  }

  private async loop(process: ProcessDefinition): Promise<void> {
    const alarm = new Alarm();
    this.alarms.set(process.name, alarm);
    const due = new DueTimes();
    this.dueTimes.set(process.name, due);
    while (!this.abort.signal.aborted) {
      // A wake-up while this pass looks through the outbox (it may have looked already) means one more pass, not a sleep.
      alarm.rung = false;
      // Retries due by now are looked at by this pass; one falling due during it is not.
      const lookedAt = Date.now();
      let busy = false;
      try {
        busy = (await this.deliver(process)) || busy;
        busy = (await this.fireTimers(process)) || busy;
      } catch (error) {
        this.log.error({ err: error, process: process.name }, 'process engine step failed; retrying');
      }
      if (busy || alarm.rung) continue;
      // Idle: polling every 100 ms, the engines of an idle server sent some 200 looks a second.
      await alarm.sleep(due.sleepMs(this.options.pollMs ?? 1000, lookedAt), this.abort.signal);
    }
  }

  private tables(process: ProcessDefinition): ProcessTables {
    return this.host.tablesOf(process);
  }

  /** Where the looks for due commands and timers go (EngineHost.reader). */
  private get looks(): Knex {
    return this.host.reader ?? this.host.db;
  }

  /** Delivers due outbox commands, the oldest first and never overtaking an earlier one of the same instance. */
  private async deliver(process: ProcessDefinition): Promise<boolean> {
    const t = this.tables(process);
    const now = Date.now();
    const rows = (await this.looks(`${t.outbox} as o`)
      .where('o.status', 'pending')
      .andWhere('o.next_attempt_at', '<=', now)
      .whereNotExists((q) => q.select(1).from(`${t.outbox} as e`).whereRaw('e.instance_id = o.instance_id').andWhere('e.status', 'pending').andWhereRaw('e.seq < o.seq'))
      .orderBy('o.seq')
      .limit(100)) as OutboxRow[];
    // Each row is the oldest pending command of its instance, so rows of different instances may
    // go out together (process.concurrency at a time); one instance's commands stay in order.
    let next = 0;
    const delivered: OutboxRow[] = [];
    let attempted = 0;
    const worker = async () => {
      while (next < rows.length && !this.abort.signal.aborted) {
        const row = rows[next++]!;
        const held = this.heldBack.get(`${process.name}/${row.seq}`);
        if (held !== undefined && held > Date.now()) continue;
        this.heldBack.delete(`${process.name}/${row.seq}`);
        attempted++;
        try {
          // A deposed leader sends nothing more: checked right before the send (the mark after it is fenced in its transaction).
          await this.host.fence?.check(this.host.db);
          await this.deliverOne(process, row);
          delivered.push(row);
        } catch (error) {
          if (error instanceof Fenced) throw error;
          await this.failed(process, row, error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(process.concurrency ?? 1, rows.length)) }, worker));
    await markDelivered(process, this.host.db, t, delivered, this.host.fence);
    return attempted > 0;
  }

  /**
   * One delivery, in a span that continues the trace of the step that wrote the command. The
   * command carries the conversation it belongs to (the originating request's correlation id)
   * and its cause; rows written before they were kept fall back to the instance id.
   */
  private deliverOne(process: ProcessDefinition, row: OutboxRow): Promise<void> {
    const attributes = { 'seams.process': process.name, 'seams.instance': row.instance_id, 'seams.command': row.command_type, 'seams.command_id': row.command_id, 'seams.attempt': row.attempts + 1 };
    return inSpan(`seams.outbox ${row.command_type}`, { kind: SpanKind.PRODUCER, parent: row.traceparent ?? undefined, attributes }, () =>
      this.dispatch(row.command_type, JSON.parse(row.data), {
        commandId: row.command_id,
        correlationId: row.correlation_id ?? row.instance_id,
        causationId: row.causation_id ?? undefined,
        actor: `process:${process.name}`,
        traceparent: traceparentOf() ?? row.traceparent ?? undefined,
      }),
    );
  }

  private async failed(process: ProcessDefinition, row: OutboxRow, error: unknown): Promise<void> {
    const t = this.tables(process);
    const attempts = row.attempts + 1;
    const message = error instanceof Error ? error.message : String(error);
    // A refusal (4xx) is final; a stale expected revision only means someone else appended first: worth another try.
    const refused = error instanceof SeamsError && error.status < 500 && !(error instanceof WrongExpectedRevisionError);
    const { maxAttempts = 8, backoffMs = 100, maxBackoffMs = 30_000 } = { ...this.options, ...process.retry };
    const delay = Math.min(maxBackoffMs, backoffMs * 2 ** (attempts - 1));
    if (isDatabaseUnavailable(error)) {
      // A database that went away or is busy is no verdict on the command: it waits for the database, no attempt counted, never failed for good.
      const wait = Math.min(maxBackoffMs, 1000);
      this.log.warn({ process: process.name, instance: row.instance_id, command: row.command_type, err: error }, `command delivery failed: the database is unreachable or busy; retrying in ${wait} ms`);
      await this.backOff(process, row, row.attempts, wait, message);
      return;
    }
    if (!refused && attempts < maxAttempts) {
      this.log.warn({ process: process.name, instance: row.instance_id, command: row.command_type, attempts, err: error }, `command delivery failed; retrying in ${delay} ms`);
      await this.backOff(process, row, attempts, delay, message);
      return;
    }
    this.log.error({ process: process.name, instance: row.instance_id, command: row.command_type, attempts, err: error }, 'command failed for good');
    try {
      await this.host.db.transaction(async (trx) => {
        await this.host.fence?.check(trx);
        await trx(t.outbox).where({ seq: row.seq }).update({ status: 'failed', attempts, last_error: message });
        await advance(process, stepsIn(trx, t), this.host.env, row.instance_id, { kind: 'commandFailed', command: row.command_type, error: message }, { origin: originOf(row) });
      });
    } catch (bookkeeping) {
      if (bookkeeping instanceof Fenced) throw bookkeeping;
      // Marking the failure failed (the process's decision threw, the database refused the step):
      // the row stays pending but backs off like any other retry, instead of being due again at once.
      this.log.error({ process: process.name, instance: row.instance_id, command: row.command_type, attempts, err: bookkeeping }, `recording the command's failure failed; retrying in ${delay} ms`);
      await this.backOff(process, row, attempts, delay, `${message} (recording the failure failed: ${(bookkeeping as Error).message ?? String(bookkeeping)})`);
    }
  }

  /**
   * Puts a pending row off by `delay`. Should even that write fail (the database is away), the
   * row is held back here, so this engine does not send it again before its time either.
   */
  private async backOff(process: ProcessDefinition, row: OutboxRow, attempts: number, delay: number, lastError: string): Promise<void> {
    const notBefore = Date.now() + delay;
    this.dueTimes.get(process.name)?.retryAt(notBefore);
    try {
      await this.host.db(this.tables(process).outbox).where({ seq: row.seq }).update({ attempts, next_attempt_at: notBefore, last_error: lastError });
    } catch (error) {
      this.log.error({ process: process.name, instance: row.instance_id, err: error }, 'could not record a retry; holding the command back in memory');
      this.heldBack.set(`${process.name}/${row.seq}`, notBefore);
    }
  }

  /** Fires due timers, after the projections the process reads have caught up with the log. */
  private async fireTimers(process: ProcessDefinition): Promise<boolean> {
    const t = this.tables(process);
    const now = Date.now();
    // The earliest timers, due or not: the first one not yet due says when to look again.
    const earliest = (await this.looks(t.timers).orderBy('due_at').limit(100)) as ({ instance_id: string; name: string; due_at: number } & OriginRow)[];
    const due = earliest.filter((timer) => Number(timer.due_at) <= now);
    const next = earliest[due.length];
    const times = this.dueTimes.get(process.name);
    if (times) times.nextTimer = next && Number(next.due_at);
    if (due.length === 0) return false;
    // A timer's decision reads these projections as of now: one that has not caught up (a restored or
    // rebuilding replica, a database restarting) would decide on what it has not seen yet, for good
    // (chaos seed 1, PostgreSQL: a refused reservation looked at before the replica had the deletion
    // left an order pending). The timers stay due and are looked at again on the next pass.
    for (const projection of process.waitsFor) {
      if (!(await this.host.catchUp(this.options.timerCatchUpMs ?? 5000, projection))) {
        this.log.warn({ process: process.name, projection, timers: due.length }, 'due timers wait: a projection they read has not caught up with the log yet');
        return false;
      }
    }
    for (const timer of due) {
      await this.host.db.transaction(async (trx) => {
        await this.host.fence?.check(trx);
        // The instance first, as every step takes it, then its timer: never the other way round (a deadlock on PostgreSQL).
        await lockInstance(trx, t, timer.instance_id);
        const taken = await trx(t.timers).where({ instance_id: timer.instance_id, name: timer.name, due_at: timer.due_at }).delete();
        // The timer's step keeps the conversation of the step that set it.
        if (taken === 1) await advance(process, stepsIn(trx, t), this.host.env, timer.instance_id, { kind: 'timer', name: timer.name }, { origin: originOf(timer) });
      });
    }
    return true;
  }
}
