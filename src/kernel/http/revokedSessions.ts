import type { Knex } from 'knex';
import type { z } from 'zod';
import type { EventContract } from '../types/contracts.js';
import type { EventStore, RecordedEvent } from '../types/eventStore.js';
import { defineProjection, on } from '../projections/defineProjection.js';
import type { ProjectionRunner } from '../projections/projectionRunner.js';

export const REVOKED_SESSIONS = 'revoked_sessions';

/**
 * A module's own replica of ended sessions, fed by identity's public logout event. A module
 * with authenticated routes includes it, so it rejects a logged-out token without asking
 * identity. The contract is passed in because the kernel knows no module.
 */
export function revokedSessions(loggedOut: EventContract<string, z.ZodType<{ sessionId: string }>>) {
  return defineProjection({
    name: REVOKED_SESSIONS,
    version: 1,
    tables: {
      revoked_sessions: (t) => {
        t.string('session_id').primary();
        t.bigInteger('position').notNullable();
      },
    },
    handlers: [
      on(loggedOut, async (e, { db, tables }) => {
        await db(tables.revoked_sessions).insert({ session_id: e.data.sessionId, position: e.position }).onConflict('session_id').ignore();
      }),
    ],
  });
}

/** Logout events one scan of the log reads at most; beyond that the check waits for the replica instead. */
const MAX_UNPROCESSED_LOGOUTS = 1000;
/** How far the replica may move past a remembered position before the replica is asked again. */
const MAX_REMEMBERED_LAG = 100_000;
/** Sessions remembered, each way. */
const CAPACITY = 10_000;

interface Scan {
  after: number;
  result: Promise<RecordedEvent[]>;
  begin(read: Promise<RecordedEvent[]>): void;
}

/**
 * Answers "has this session ended?" for a module's authenticated routes as of the moment it is
 * asked, without waiting for the module's replica of ended sessions to commit its next batch.
 *
 * For each session it knows a position `p` with "no logout of this session at or before p",
 * first from the replica (whose rows reflect at least the checkpoint read before them). A check
 * reads the logouts after `p` from the log (by type, through the store's index: nearly always
 * none) in a scan that begins after the check did: "none up to p" and "none in the log after p"
 * cover every logout committed before the request, so a logout is honoured at once by every
 * module. Then `p` moves up to the checkpoint the replica had before the scan (it had processed
 * nothing the scan could not see), which keeps later scans short. Checks that arrive while a
 * scan runs share the next one. Ended sessions stay ended. Memory is bounded; a forgotten session
 * costs one read of the replica.
 */
export class EndedSessions {
  private readonly notEndedAt = new Map<string, number>();
  private readonly ended = new Set<string>();
  private scanning = false;
  private next: Scan | undefined;

  constructor(
    private readonly replica: ProjectionRunner,
    private readonly db: Knex,
    private readonly store: EventStore,
  ) {}

  /** True when the session has ended, false when not; undefined when the replica is too far behind to tell cheaply. */
  async check(sessionId: string): Promise<boolean | undefined> {
    if (this.ended.has(sessionId)) return true;
    // Read first: the rows read below reflect at least this, and the scan sees at least this far.
    const processed = this.replica.position;
    let known = this.notEndedAt.get(sessionId);
    if (known === undefined || processed - known > MAX_REMEMBERED_LAG) {
      const { revoked_sessions: table } = this.replica.tables;
      if (await this.db(table).where({ session_id: sessionId }).first()) return this.remember(sessionId);
      known = processed;
    }
    const logouts = await this.scanAfter(known);
    this.notEndedAt.delete(sessionId);
    if (logouts.length >= MAX_UNPROCESSED_LOGOUTS) return undefined;
    if (logouts.some((e) => (e.data as { sessionId?: unknown }).sessionId === sessionId)) return this.remember(sessionId);
    if (this.notEndedAt.size >= CAPACITY) this.notEndedAt.delete(this.notEndedAt.keys().next().value!);
    this.notEndedAt.set(sessionId, Math.max(known, processed));
    return false;
  }

  /** The logouts in the log after `after` (or from earlier), read by a scan that begins after this call. */
  private scanAfter(after: number): Promise<RecordedEvent[]> {
    if (this.next) {
      this.next.after = Math.min(this.next.after, after);
      return this.next.result;
    }
    let begin!: Scan['begin'];
    const scan: Scan = { after, result: new Promise((resolve) => (begin = resolve)), begin };
    this.next = scan;
    if (!this.scanning) this.beginNext();
    return scan.result;
  }

  private beginNext(): void {
    const scan = this.next;
    this.next = undefined;
    if (!scan) return;
    this.scanning = true;
    const read = this.store.readAll({ after: scan.after, maxCount: MAX_UNPROCESSED_LOGOUTS, filter: { eventTypes: this.replica.definition.eventTypes } });
    scan.begin(read);
    read.then(
      () => this.scanDone(),
      () => this.scanDone(),
    );
  }

  private scanDone(): void {
    this.scanning = false;
    this.beginNext();
  }

  private remember(sessionId: string): true {
    this.notEndedAt.delete(sessionId);
    if (this.ended.size >= CAPACITY) this.ended.clear();
    this.ended.add(sessionId);
    return true;
  }
}
