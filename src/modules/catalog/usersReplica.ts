import { defineProjection, findCaughtUp, on, type ModuleContext } from '../../kernel/index.js';
import { UserRegistered } from '../identity/contracts.js';
import { ProfileUpdated } from '../users/contracts.js';

/**
 * catalog's own copy of the user fields it needs (a foreign key across databases being
 * impossible): ids to validate owners, display names to show them. Fed by public events only.
 */
export const usersReplica = defineProjection({
  name: 'users_replica',
  version: 1,
  tables: {
    user_names: (t) => {
      t.string('user_id').primary();
      t.string('display_name').notNullable();
    },
  },
  handlers: [
    on(UserRegistered, async (e, { db, tables }) => {
      await db(tables.user_names).insert({ user_id: e.data.userId, display_name: e.data.displayName }).onConflict('user_id').ignore();
    }),
    on(ProfileUpdated, async (e, { db, tables }) => {
      await db(tables.user_names).insert({ user_id: e.data.userId, display_name: e.data.displayName }).onConflict('user_id').merge();
    }),
  ],
});

/**
 * Users the replica is known to hold, per running module. No event removes a user from the
 * replica (a rebuild or a restored backup converges to the same rows), so once known, a user
 * stays known: the hot path of item creation skips the database. Bounded: cleared when full.
 */
const knownUsers = new WeakMap<ModuleContext, Set<string>>();
const KNOWN_USERS_CAPACITY = 100_000;

/** Is the user known to the replica? Lets the replica catch up once before saying no. */
export async function knownUser(ctx: ModuleContext, userId: string): Promise<boolean> {
  let known = knownUsers.get(ctx);
  if (!known) knownUsers.set(ctx, (known = new Set()));
  if (known.has(userId)) return true;
  const find = () => ctx.db(ctx.tables('users_replica').user_names).where({ user_id: userId }).first();
  const found = Boolean(await findCaughtUp(ctx, 'users_replica', find));
  if (found) {
    if (known.size >= KNOWN_USERS_CAPACITY) known.clear();
    known.add(userId);
  }
  return found;
}
