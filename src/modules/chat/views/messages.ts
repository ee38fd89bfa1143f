import { z } from 'zod';
import { defineProjection, defineRow, on, type ModuleContext } from '../../../kernel/index.js';
import { MessagePosted } from '../events.js';
import { usersReplica } from '../replicas/users.js';

export const messageRow = defineRow(
  z.object({ messageId: z.uuid(), conversationId: z.uuid(), senderId: z.uuid(), text: z.string(), sentAt: z.string(), revision: z.number().int() }),
  { primary: ['messageId'], indexes: [['conversationId', 'revision']] },
);

/** What clients read of a message, with its sender's current name (from the users replica). */
export const messageView = messageRow.schema.pick({ messageId: true, senderId: true, text: true, sentAt: true }).extend({ senderDisplayName: z.string().nullable() });

/** Messages in conversation order. */
export const messages = defineProjection({
  name: 'messages',
  version: 1,
  tables: { messages: messageRow.table },
  handlers: [
    on(MessagePosted, async (e, { db, tables }) => {
      await db(tables.messages).insert(messageRow.toDb({ ...e.data, sentAt: e.recordedAt, revision: e.revision })).onConflict('message_id').ignore();
    }),
  ],
});

/**
 * One page of a conversation's messages, oldest first: the newest `limit` before the message
 * `before` (or the newest `limit` of all), and the cursor of the page before it (null when this
 * one reaches the first message). Pages keep what a read holds in memory bounded, however long
 * a conversation grows. Undefined when `before` is no message of this conversation.
 */
export async function conversationMessages(
  ctx: ModuleContext,
  conversationId: string,
  page: { limit: number; before?: string },
): Promise<{ messages: z.output<typeof messageView>[]; nextBefore: string | null } | undefined> {
  const table = ctx.tables(messages).messages;
  const names = usersReplica.table(ctx);
  let below: number | undefined;
  if (page.before !== undefined) {
    const cursor = await ctx.db(table).where({ conversation_id: conversationId, message_id: page.before }).first('revision');
    if (!cursor) return undefined;
    below = Number(cursor.revision);
  }
  const rows = (await ctx
    .db(table)
    .leftJoin(names, `${names}.user_id`, `${table}.sender_id`)
    .where(`${table}.conversation_id`, conversationId)
    .modify((q) => (below !== undefined ? q.where(`${table}.revision`, '<', below) : q))
    .orderBy(`${table}.revision`, 'desc')
    .limit(page.limit + 1)
    .select(`${table}.message_id as messageId`, `${table}.sender_id as senderId`, `${names}.display_name as senderDisplayName`, `${table}.text`, `${table}.sent_at as sentAt`)) as z.output<typeof messageView>[];
  const more = rows.length > page.limit;
  const shown = rows.slice(0, page.limit).reverse();
  return { messages: shown, nextBefore: more ? shown[0]!.messageId : null };
}
