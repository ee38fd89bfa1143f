import { z } from 'zod';
import { defineEvent, type RecordedEventOf } from '../../kernel/index.js';

/** chat's events, all private: one stream per conversation (`chat.conversation-<id>`). It publishes none. */
export const ConversationStarted = defineEvent('chat.ConversationStarted', 1, z.object({ conversationId: z.uuid(), participantIds: z.array(z.uuid()), startedBy: z.uuid() }));
export const MessagePosted = defineEvent('chat.MessagePosted', 1, z.object({ conversationId: z.uuid(), messageId: z.uuid(), senderId: z.uuid(), text: z.string() }));

export const conversationEvents = [ConversationStarted, MessagePosted];
export type ConversationEvent = RecordedEventOf<(typeof conversationEvents)[number]>;
