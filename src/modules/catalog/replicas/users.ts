import { findCaughtUp, type ModuleContext } from '../../../kernel/index.js';
import { userNamesReplica } from '../../users/contracts.js';

/**
 * catalog's own copy of the user fields it needs (a foreign key across databases being
 * impossible): ids to validate owners, display names to show them. users publishes the copy;
 * it lives in catalog's database.
 */
export const usersReplica = userNamesReplica;

/**
 * Users the replica is known to hold, per running module. No event removes a user from the
 * replica (a rebuild or a restored backup converges to the same rows), so once known, a user
 * stays known: the hot path of item creation skips the database. Bounded: cleared when full.
 */
const knownUsers = new WeakMap<ModuleContext['db'], Set<string>>();
const KNOWN_USERS_CAPACITY = 100_000;

/** Is the user known to the replica? Lets the replica catch up once before saying no. */
export async function knownUser(ctx: ModuleContext, userId: string): Promise<boolean> {
  let known = knownUsers.get(ctx.db);
  if (!known) knownUsers.set(ctx.db, (known = new Set()));
  if (known.has(userId)) return true;
  const found = Boolean(await findCaughtUp(ctx, usersReplica, () => usersReplica.find(ctx, userId)));
  if (found) {
    if (known.size >= KNOWN_USERS_CAPACITY) known.clear();
    known.add(userId);
  }
  return found;
}
