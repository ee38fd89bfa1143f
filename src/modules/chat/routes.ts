import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { UnprocessableError, created, decideAndAppend, loadState, ok, route } from '../../kernel/index.js';
import { assertParticipant, conversation } from './conversation.js';
import { unknownUsers } from './replicas.js';

const conversationParams = z.object({ id: z.uuid() });

export const startConversationRoute = route.post('/conversations', {
  summary: 'start a conversation; you are a participant; 422 for a participant chat does not know',
  auth: true,
  body: z.object({ participantIds: z.array(z.uuid()).min(1).max(100) }),
  responses: { 201: z.object({ conversationId: z.uuid() }) },
  async handle({ ctx, body, caller, meta }) {
    const participantIds = [...new Set([caller!.userId, ...body.participantIds])];
    const unknown = await unknownUsers(ctx, participantIds);
    if (unknown.length > 0) throw new UnprocessableError(`unknown participants: ${unknown.join(', ')}`);
    const conversationId = randomUUID();
    const { result } = await decideAndAppend(ctx.events, ctx.events.stream('conversation', conversationId), conversation, { kind: 'start', conversationId, participantIds, startedBy: caller!.userId }, { metadata: { correlationId: meta.correlationId, actor: caller!.userId } });
    return created({ conversationId }, { position: result!.position });
  },
});

export const postMessageRoute = route.post('/conversations/:id/messages', {
  summary: 'post a message (participants only)',
  auth: true,
  params: conversationParams,
  body: z.object({ text: z.string().min(1).max(10_000) }),
  responses: { 201: z.object({ messageId: z.uuid() }) },
  async handle({ ctx, params, body, caller, meta }) {
    const messageId = randomUUID();
    const { result } = await decideAndAppend(ctx.events, ctx.events.stream('conversation', params.id), conversation, { kind: 'post', conversationId: params.id, messageId, senderId: caller!.userId, text: body.text }, { metadata: { correlationId: meta.correlationId, actor: caller!.userId } });
    return created({ messageId }, { position: result!.position });
  },
});

export const listMessagesRoute = route.get('/conversations/:id/messages', {
  summary: 'the messages of a conversation, oldest first (participants only)',
  auth: true,
  params: conversationParams,
  responses: { 200: z.object({ messages: z.array(z.object({ messageId: z.uuid(), senderId: z.uuid(), senderDisplayName: z.string().nullable(), text: z.string(), sentAt: z.string() })) }) },
  async handle({ ctx, params, caller }) {
    // Membership comes from the conversation's own stream: always current, never a stale replica.
    const { state, revision } = await loadState(ctx.events, ctx.events.stream('conversation', params.id), conversation);
    assertParticipant(state, params.id, caller!.userId);
    const table = ctx.tables('messages').messages;
    const names = ctx.tables('users_replica').user_names;
    const rows = await ctx
      .db(table)
      .leftJoin(names, `${names}.user_id`, `${table}.sender_id`)
      .where(`${table}.conversation_id`, params.id)
      .orderBy(`${table}.revision`)
      .select(`${table}.message_id as messageId`, `${table}.sender_id as senderId`, `${names}.display_name as senderDisplayName`, `${table}.text`, `${table}.sent_at as sentAt`);
    return ok({ messages: rows }, { revision });
  },
});
