import { z } from 'zod';
import { defineProjection, defineRow, findCaughtUp, on, type ModuleContext } from '../../../kernel/index.js';
import { UserRegistered } from '../contracts.js';

/** The registered users by id (an account's stream is keyed by its email): whom a role may be granted. */
export const userRow = defineRow(z.object({ userId: z.uuid(), email: z.string() }), { primary: ['userId'] });

export const registeredUsers = defineProjection({
  name: 'registered_users',
  version: 1,
  tables: { registered_users: userRow.table },
  handlers: [
    on(UserRegistered, async (e, { db, tables }) => {
      await db(tables.registered_users).insert(userRow.toDb({ userId: e.data.userId, email: e.data.email })).onConflict('user_id').ignore();
    }),
  ],
});

/** Is this a registered user? Lets the view catch up once before saying no. */
export async function isRegistered(ctx: ModuleContext, userId: string): Promise<boolean> {
  const find = () => ctx.db(ctx.tables(registeredUsers).registered_users).where({ user_id: userId }).first();
  return Boolean(await findCaughtUp(ctx, registeredUsers, find));
}
