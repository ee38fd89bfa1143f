import type { Knex } from 'knex';
import { defineProjection, on } from '../projections/defineProjection.js';
import type { ProjectionRunner } from '../projections/projectionRunner.js';
import type { Credential } from '../types/context.js';
import type { EventStore, RecordedEvent } from '../types/eventStore.js';
import type { CredentialEvents } from '../types/module.js';

export const ACCESS = 'access';

/**
 * One revocation as the access replica keeps it: a subject (`session:<id>`, `service:<id>`,
 * `user:<id>`) and, for a user, the roles revision below which that user's tokens are rejected.
 */
interface Revocation {
  subject: string;
  below: number;
}

/** What a revoking event revokes (undefined for any other event). */
export function revocationOf(events: CredentialEvents, e: RecordedEvent<any>): Revocation | undefined {
  if (e.type === events.endsSession.type) return { subject: `session:${e.data.sessionId}`, below: 0 };
  if (e.type === events.revokesServiceToken.type) return { subject: `service:${e.data.tokenId}`, below: 0 };
  if (e.type === events.revokesRoles.type) return { subject: `user:${e.data.userId}`, below: e.revision };
  return undefined;
}

/**
 * A module's own replica of revoked credentials, fed by the issuer's public events (identity's
 * logouts, revoked roles, revoked service tokens). The kernel attaches it to every module whose
 * routes need a credential, so each rejects a revoked token without asking identity.
 */
export function accessReplica(events: CredentialEvents) {
  const record = async (e: RecordedEvent<any>, db: Knex.Transaction, table: string) => {
    const { subject, below } = revocationOf(events, e)!;
    // A later revocation of a user's roles moves the threshold up; the others are recorded once.
    await db(table).insert({ subject, below, position: e.position }).onConflict('subject').merge(['below', 'position']);
  };
  return defineProjection({
    name: ACCESS,
    version: 1,
    tables: {
      revocations: (t) => {
        t.string('subject', 200).primary();
        t.bigInteger('below').notNullable();
        t.bigInteger('position').notNullable();
      },
    },
    handlers: [events.endsSession, events.revokesServiceToken, events.revokesRoles].map((contract) => on(contract, (e, { db, tables }) => record(e, db, tables.revocations))),
  });
}

/** The subjects whose revocation rejects a credential, and the test each revocation is put to. */
function subjectsOf(credential: Credential): string[] {
  return credential.kind === 'member' ? [`session:${credential.sessionId}`, `user:${credential.userId}`] : [`service:${credential.tokenId}`];
}

function revokes(credential: Credential, r: Revocation): boolean {
  if (!subjectsOf(credential).includes(r.subject)) return false;
  return r.subject.startsWith('user:') ? credential.kind === 'member' && credential.rolesRevision < r.below : true;
}

/** The key a credential is remembered under: its session or its service token. */
const keyOf = (credential: Credential) => subjectsOf(credential)[0]!;

/** Revoking events one scan of the log reads at most; beyond that the check waits for the replica instead. */
const MAX_UNPROCESSED = 1000;
/** How far the replica may move past a remembered position before the replica is asked again. */
const MAX_REMEMBERED_LAG = 100_000;
/** Credentials remembered, each way. */
const CAPACITY = 10_000;

interface Scan {
  after: number;
  result: Promise<RecordedEvent[]>;
  begin(read: Promise<RecordedEvent[]>): void;
}

/**
 * Answers "has this credential been revoked?" for a module's routes as of the moment it is
 * asked, without waiting for the module's access replica to commit its next batch.
 *
 * For each credential it knows a position `p` with "no revocation of it at or before p", first
 * from the replica (whose rows reflect at least the checkpoint read before them). A check reads
 * the revoking events after `p` from the log (by type, through the store's index: nearly always
 * none) in a scan that begins after the check did: "none up to p" and "none in the log after p"
 * cover every revocation committed before the request, so a logout is honoured at once by every
 * module. Then `p` moves up to the checkpoint the replica had before the scan (it had processed
 * nothing the scan could not see), which keeps later scans short. Checks that arrive while a scan
 * runs share the next one. Revoked credentials stay revoked. Memory is bounded; a forgotten
 * credential costs one read of the replica.
 */
export class Revocations {
  private readonly notRevokedAt = new Map<string, number>();
  private readonly revoked = new Set<string>();
  private scanning = false;
  private next: Scan | undefined;

  constructor(
    private readonly events: CredentialEvents,
    private readonly replica: ProjectionRunner,
    private readonly db: Knex,
    private readonly store: EventStore,
  ) {}

  /** True when the credential is revoked, false when not; undefined when the replica is too far behind to tell cheaply. */
  async check(credential: Credential): Promise<boolean | undefined> {
    const key = keyOf(credential);
    if (this.revoked.has(key)) return true;
    // Read first: the rows read below reflect at least this, and the scan sees at least this far.
    const processed = this.replica.position;
    let known = this.notRevokedAt.get(key);
    if (known === undefined || processed - known > MAX_REMEMBERED_LAG) {
      const rows = (await this.db(this.replica.tables.revocations!).whereIn('subject', subjectsOf(credential))) as { subject: string; below: unknown }[];
      if (rows.some((r) => revokes(credential, { subject: r.subject, below: Number(r.below) }))) return this.remember(key);
      known = processed;
    }
    const later = await this.scanAfter(known);
    this.notRevokedAt.delete(key);
    if (later.length >= MAX_UNPROCESSED) return undefined;
    if (later.some((e) => revokesEvent(this.events, credential, e))) return this.remember(key);
    if (this.notRevokedAt.size >= CAPACITY) this.notRevokedAt.delete(this.notRevokedAt.keys().next().value!);
    this.notRevokedAt.set(key, Math.max(known, processed));
    return false;
  }

  /** The revoking events in the log after `after` (or from earlier), read by a scan that begins after this call. */
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
    const read = this.store.readAll({ after: scan.after, maxCount: MAX_UNPROCESSED, filter: { eventTypes: this.replica.definition.eventTypes } });
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

  private remember(key: string): true {
    this.notRevokedAt.delete(key);
    if (this.revoked.size >= CAPACITY) this.revoked.clear();
    this.revoked.add(key);
    return true;
  }
}

function revokesEvent(events: CredentialEvents, credential: Credential, e: RecordedEvent): boolean {
  const r = revocationOf(events, e);
  return r !== undefined && revokes(credential, r);
}
