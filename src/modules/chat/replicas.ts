import { defineProjection, on, type ModuleContext } from '../../kernel/index.js';
import { UserRegistered } from '../identity/contracts.js';
import { ProfileUpdated } from '../users/contracts.js';
import { MessagePosted } from './conversation.js';

/** chat's own copy of users: who may be a participant, and the names shown beside messages. */
export const usersReplica = defineProjection({
  name: 'users_replica',
  version: 1,
  tables: { user_names: (t) => { t.string('user_id').primary(); t.string('display_name').notNullable(); } },
  handlers: [
    on(UserRegistered, async (e, { db, tables }) => {
      await db(tables.user_names).insert({ user_id: e.data.userId, display_name: e.data.displayName }).onConflict('user_id').ignore();
    }),
    on(ProfileUpdated, async (e, { db, tables }) => {
      await db(tables.user_names).insert({ user_id: e.data.userId, display_name: e.data.displayName }).onConflict('user_id').merge();
    }),
  ],
});

/** Messages in conversation order. */
export const messages = defineProjection({
  name: 'messages',
  version: 1,
  tables: {
    messages: (t) => {
      t.string('message_id').primary();
      t.string('conversation_id').notNullable();
      t.string('sender_id').notNullable();
      t.text('text').notNullable();
      t.string('sent_at').notNullable();
      t.integer('revision').notNullable();
      t.index(['conversation_id', 'revision']);
    },
  },
  handlers: [
    on(MessagePosted, async (e, { db, tables }) => {
      await db(tables.messages)
        .insert({ message_id: e.data.messageId, conversation_id: e.data.conversationId, sender_id: e.data.senderId, text: e.data.text, sent_at: e.recordedAt, revision: e.revision })
        .onConflict('message_id')
        .ignore();
    }),
  ],
});

/** The participants not known to chat's replica (after letting it catch up once). */
export async function unknownUsers(ctx: ModuleContext, userIds: string[]): Promise<string[]> {
  const missing = async () => {
    const known = new Set(await ctx.db(ctx.tables('users_replica').user_names).whereIn('user_id', userIds).pluck('user_id'));
    return userIds.filter((id) => !known.has(id));
  };
  const first = await missing();
  return first.length === 0 || !(await ctx.catchUp(1000, 'users_replica')) ? first : missing();
}
