import { z } from 'zod';
import { batchedReads, defineProjection, defineRow, findCaughtUp, on, type ModuleContext } from '../../../kernel/index.js';
import { UserRegistered } from '../../identity/contracts.js';
import { ProfileUpdated } from '../contracts.js';

/** A profile's row; `version` counts the profile's own changes (0 when fresh): the ETag. */
export const profileRow = defineRow(z.object({ userId: z.uuid(), displayName: z.string(), bio: z.string(), version: z.number().int() }), { primary: ['userId'] });
export type ProfileRow = z.output<typeof profileRow.schema>;

/** Profiles: created from identity's registrations, changed by users' own ProfileUpdated events. */
export const profiles = defineProjection({
  name: 'profiles',
  version: 1,
  tables: { profiles: profileRow.table },
  handlers: [
    on(UserRegistered, async (e, { db, tables }) => {
      await db(tables.profiles).insert(profileRow.toDb({ userId: e.data.userId, displayName: e.data.displayName, bio: '', version: 0 })).onConflict('user_id').ignore();
    }),
    on(ProfileUpdated, async (e, { db, tables }) => {
      await db(tables.profiles).where({ user_id: e.data.userId }).update(profileRow.toDb({ displayName: e.data.displayName, bio: e.data.bio, version: e.revision + 1 }));
    }),
  ],
});

const profilesById = batchedReads(
  (ctx, ids: readonly string[]) => ctx.db(ctx.tables(profiles).profiles).whereIn('user_id', ids) as Promise<{ user_id: string }[]>,
  (row) => row.user_id,
);

/** Reads a profile; when it is not there yet, lets the projection catch up once before saying no. */
export async function findProfile(ctx: ModuleContext, userId: string): Promise<ProfileRow | null> {
  const read = async () => {
    const row = await profilesById(ctx, userId);
    return row ? profileRow.fromDb(row) : null;
  };
  return findCaughtUp(ctx, profiles, read);
}
