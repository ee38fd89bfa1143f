import { z } from 'zod';
import { UnprocessableError, created, ok, route, wholeNumber } from '../../kernel/index.js';
import { assertParticipant, handleConversation, loadConversation } from './conversation.js';
import { unknownUsers } from './replicas/users.js';
import { conversationMessages, messageView } from './views/messages.js';

const conversationParams = z.object({ id: z.uuid() });

export const startConversationRoute = route.post('/conversations', {
  summary: 'start a conversation; you are a participant; 422 for a participant chat does not know',
  access: ['member'],
  body: z.object({ participantIds: z.array(z.uuid()).min(1).max(100) }),
  responses: { 201: z.object({ conversationId: z.uuid() }) },
  async handle({ ctx, body, caller }) {
    const participantIds = [...new Set([caller.userId, ...body.participantIds])];
    const unknown = await unknownUsers(ctx, participantIds);
    if (unknown.length > 0) throw new UnprocessableError(`unknown participants: ${unknown.join(', ')}`);
    const conversationId = ctx.newId();
    const { result } = await handleConversation(ctx.events, { kind: 'start', conversationId, participantIds, startedBy: caller.userId });
    return created({ conversationId }, { position: result!.position });
  },
});

export const postMessageRoute = route.post('/conversations/:id/messages', {
  summary: 'post a message (participants only)',
  access: ['member'],
  params: conversationParams,
  body: z.object({ text: z.string().min(1).max(10_000) }),
  responses: { 201: z.object({ messageId: z.uuid() }) },
  async handle({ ctx, params, body, caller }) {
    const messageId = ctx.newId();
    const { result } = await handleConversation(ctx.events, { kind: 'post', conversationId: params.id, messageId, senderId: caller.userId, text: body.text });
    return created({ messageId }, { position: result!.position });
  },
});

export const listMessagesRoute = route.get('/conversations/:id/messages', {
  summary: 'a page of the messages of a conversation, oldest first: the newest `limit` (default 100) before the message `before`, with `nextBefore` for the page before (participants only)',
  access: ['member'],
  params: conversationParams,
  query: z.object({ limit: wholeNumber(1, 500).default(100), before: z.uuid().optional() }),
  responses: { 200: z.object({ messages: z.array(messageView), nextBefore: z.uuid().nullable() }) },
  async handle({ ctx, params, query, caller }) {
    // Membership comes from the conversation's own stream: always current, never a stale replica.
    assertParticipant(await loadConversation(ctx.events, params.id), params.id, caller.userId);
    const page = await conversationMessages(ctx, params.id, query);
    if (!page) throw new UnprocessableError(`no message ${query.before} in conversation ${params.id}`);
    return ok(page);
  },
});

export const routes = [startConversationRoute, postMessageRoute, listMessagesRoute];
