import type { Knex } from 'knex';
import { TooManyRequestsError, UnavailableError, type ModuleContext } from '../../kernel/index.js';
import { identityConfig } from './config.js';

/**
 * The limits on guessing and sign-ups (API.md, identity). Every count is taken in one
 * transaction before the password is checked, so an attempt in flight counts: guesses sent in
 * parallel are limited exactly as guesses sent one after another.
 *
 * Per account and client address: the first IDENTITY_LOGIN_FREE_FAILURES failures are free; each
 * further attempt locks that pair for twice as long as the last (1 s, 2 s, 4 s … up to
 * IDENTITY_LOGIN_MAX_LOCK_SECONDS), and while it is locked even the right password waits (429).
 * The lock is per address, so nobody can lock an account for its owner: a guesser elsewhere
 * locks only their own address out. A success clears the pair.
 *
 * Per client address: at most IDENTITY_LOGINS_PER_ADDRESS_PER_MINUTE logins (whatever the
 * account) and IDENTITY_REGISTRATIONS_PER_ADDRESS_PER_HOUR registrations.
 *
 * Rows live in identity's database, not in memory, and are forgotten an hour after their last use.
 */
const FORGET_AFTER_MS = 60 * 60_000;
const PURGE_EVERY_MS = 60_000;
const purgedAt = new WeakMap<Knex, number>();

const retryAfter = (until: number, now: number) => Math.max(1, Math.ceil((until - now) / 1000));

/** Admits one login attempt for the account from the address, counting it as a failure until it succeeds; 429 when locked or over the address's limit. */
export async function admitLogin(ctx: ModuleContext, accountId: string, address: string): Promise<void> {
  const settings = identityConfig.of(ctx);
  await purge(ctx.db, Date.now());
  await ctx.db.transaction(async (trx) => {
    // The time once this attempt holds the rows: attempts are counted in the order they get them.
    const now = Date.now();
    await countForAddress(trx, address, 'login', settings.IDENTITY_LOGINS_PER_ADDRESS_PER_MINUTE, 60_000, now);
    const where = { account_id: accountId, address };
    const row = await lockedRow(trx, 'login_attempts', where, { failures: 0, locked_until: 0, last_attempt_at: now });
    const lockedUntil = Number(row.locked_until);
    if (lockedUntil > now) {
      const seconds = retryAfter(lockedUntil, now);
      throw new TooManyRequestsError(`too many failed logins for this email from your address; try again in ${seconds} s`, seconds);
    }
    const failures = now - Number(row.last_attempt_at) > FORGET_AFTER_MS ? 1 : Number(row.failures) + 1;
    const beyond = failures - settings.IDENTITY_LOGIN_FREE_FAILURES;
    const lock = beyond > 0 ? Math.min(settings.IDENTITY_LOGIN_MAX_LOCK_SECONDS * 1000, 1000 * 2 ** Math.min(beyond - 1, 30)) : 0;
    await trx('login_attempts').where(where).update({ failures, locked_until: lock > 0 ? now + lock : 0, last_attempt_at: now });
  });
}

/** The attempt was right: the account's count from this address starts again. */
export async function loginSucceeded(ctx: ModuleContext, accountId: string, address: string): Promise<void> {
  await ctx.db('login_attempts').where({ account_id: accountId, address }).delete();
}

/** Admits one registration from the address; 429 over its limit. */
export async function admitRegistration(ctx: ModuleContext, address: string): Promise<void> {
  const settings = identityConfig.of(ctx);
  await purge(ctx.db, Date.now());
  await ctx.db.transaction((trx) => countForAddress(trx, address, 'registration', settings.IDENTITY_REGISTRATIONS_PER_ADDRESS_PER_HOUR, 60 * 60_000, Date.now()));
}

/** Counts an attempt in the address's current window (fixed windows of `windowMs`); 429 when the window is full. */
async function countForAddress(trx: Knex.Transaction, address: string, action: string, limit: number, windowMs: number, now: number): Promise<void> {
  const where = { address, action };
  const row = await lockedRow(trx, 'address_limits', where, { window_start: now, count: 0 });
  const fresh = now - Number(row.window_start) >= windowMs;
  const windowStart = fresh ? now : Number(row.window_start);
  const count = (fresh ? 0 : Number(row.count)) + 1;
  if (count > limit) {
    const seconds = retryAfter(windowStart + windowMs, now);
    throw new TooManyRequestsError(`too many ${action}s from your address; try again in ${seconds} s`, seconds);
  }
  await trx('address_limits').where(where).update({ window_start: windowStart, count });
}

/**
 * The row under `where`, made with `fresh` when there is none, and locked for the transaction. A
 * row can vanish between the insert and the lock (PostgreSQL: a success clears the pair, or the
 * purge forgets it, while this attempt waits for the lock): then it is made again.
 */
async function lockedRow(trx: Knex.Transaction, table: string, where: Record<string, string>, fresh: Record<string, number>): Promise<Record<string, unknown>> {
  for (let attempt = 1; ; attempt++) {
    await trx(table).insert({ ...where, ...fresh }).onConflict(Object.keys(where)).ignore();
    const row = (await trx(table).where(where).forUpdate().first()) as Record<string, unknown> | undefined;
    if (row) return row;
    if (attempt >= 10) throw new UnavailableError(`${table} of this address is being changed by many at once; try again`, 1);
  }
}

async function purge(db: Knex, now: number): Promise<void> {
  if (now - (purgedAt.get(db) ?? 0) < PURGE_EVERY_MS) return;
  purgedAt.set(db, now);
  await db('login_attempts').where('last_attempt_at', '<', now - FORGET_AFTER_MS).delete();
  await db('address_limits').where('window_start', '<', now - FORGET_AFTER_MS).delete();
}
