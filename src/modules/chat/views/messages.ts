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

export async function conversationMessages(ctx: ModuleContext, conversationId: string): Promise<z.output<typeof messageView>[]> {
  const table = ctx.tables(messages).messages;
  const names = usersReplica.table(ctx);
  return ctx
    .db(table)
    .leftJoin(names, `${names}.user_id`, `${table}.sender_id`)
    .where(`${table}.conversation_id`, conversationId)
    .orderBy(`${table}.revision`)
    .select(`${table}.message_id as messageId`, `${table}.sender_id as senderId`, `${names}.display_name as senderDisplayName`, `${table}.text`, `${table}.sent_at as sentAt`);
}
