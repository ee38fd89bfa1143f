import { defineProjection, findCaughtUp, on, type ModuleContext } from '../../kernel/index.js';
import { UserRegistered } from '../identity/contracts.js';
import { ProfileUpdated } from './contracts.js';

/**
 * Profiles: created from identity's registrations, changed by users' own ProfileUpdated events.
 * `version` counts the profile's own changes (0 when fresh): it is the ETag.
 */
export const profiles = defineProjection({
  name: 'profiles',
  version: 1,
  tables: {
    profiles: (t) => {
      t.string('user_id').primary();
      t.string('display_name').notNullable();
      t.text('bio').notNullable();
      t.integer('version').notNullable();
    },
  },
  handlers: [
    on(UserRegistered, async (e, { db, tables }) => {
      await db(tables.profiles).insert({ user_id: e.data.userId, display_name: e.data.displayName, bio: '', version: 0 }).onConflict('user_id').ignore();
    }),
    on(ProfileUpdated, async (e, { db, tables }) => {
      await db(tables.profiles).where({ user_id: e.data.userId }).update({ display_name: e.data.displayName, bio: e.data.bio, version: e.revision + 1 });
    }),
  ],
});

export interface Profile {
  userId: string;
  displayName: string;
  bio: string;
  version: number;
}

/** Reads a profile; when it is not there yet, lets the projection catch up once before saying no. */
export async function findProfile(ctx: ModuleContext, userId: string): Promise<Profile | null> {
  const read = async () => {
    const row = await ctx.db(ctx.tables('profiles').profiles).where({ user_id: userId }).first();
    return row ? { userId: row.user_id, displayName: row.display_name, bio: row.bio, version: row.version } : null;
  };
  return findCaughtUp(ctx, 'profiles', read);
}
