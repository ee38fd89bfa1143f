import { TooManyRequestsError, type ModuleContext } from '../../kernel/index.js';

/**
 * Slows down password guessing per email: the first few failures are free, then each further
 * failure locks the email for twice as long (1 s, 2 s, 4 s ... up to 15 min). A success clears it.
 */
const FREE_FAILURES = 5;
const MAX_LOCK_MS = 15 * 60_000;
const FORGET_AFTER_MS = 60 * 60_000;

export async function checkNotLocked(ctx: ModuleContext, accountId: string, now = Date.now()): Promise<void> {
  const row = await ctx.db('login_failures').where({ account_id: accountId }).first();
  if (row && Number(row.locked_until) > now) {
    const seconds = Math.ceil((Number(row.locked_until) - now) / 1000);
    throw new TooManyRequestsError(`too many failed logins for this email; try again in ${seconds} s`, seconds);
  }
}

export async function recordFailure(ctx: ModuleContext, accountId: string, now = Date.now()): Promise<void> {
  await ctx.db.transaction(async (trx) => {
    const row = await trx('login_failures').where({ account_id: accountId }).first();
    const failures = row && now - Number(row.last_failed_at) < FORGET_AFTER_MS ? Number(row.failures) + 1 : 1;
    const lockedUntil = failures > FREE_FAILURES ? now + Math.min(MAX_LOCK_MS, 1000 * 2 ** (failures - FREE_FAILURES - 1)) : 0;
    await trx('login_failures')
      .insert({ account_id: accountId, failures, last_failed_at: now, locked_until: lockedUntil })
      .onConflict('account_id')
      .merge();
  });
}

export async function clearFailures(ctx: ModuleContext, accountId: string): Promise<void> {
  await ctx.db('login_failures').where({ account_id: accountId }).delete();
}
