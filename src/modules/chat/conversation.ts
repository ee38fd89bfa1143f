import { z } from 'zod';
import { ForbiddenError, NotFoundError, defineEvent, type Decider, type RecordedEvent } from '../../kernel/index.js';

export const ConversationStarted = defineEvent(
  'chat.ConversationStarted',
  1,
  z.object({ conversationId: z.uuid(), participantIds: z.array(z.uuid()), startedBy: z.uuid() }),
);
export const MessagePosted = defineEvent(
  'chat.MessagePosted',
  1,
  z.object({ conversationId: z.uuid(), messageId: z.uuid(), senderId: z.uuid(), text: z.string() }),
);

export interface Conversation {
  participants: string[] | null;
}

export type ConversationCommand =
  | { kind: 'start'; conversationId: string; participantIds: string[]; startedBy: string }
  | { kind: 'post'; conversationId: string; messageId: string; senderId: string; text: string };

/** A conversation's rules: it starts once; only its participants post. */
export const conversation: Decider<Conversation, ConversationCommand> = {
  initialState: () => ({ participants: null }),
  evolve(state, event: RecordedEvent<any>) {
    return event.type === ConversationStarted.type ? { participants: event.data.participantIds } : state;
  },
  decide(command, state) {
    if (command.kind === 'start') {
      return [{ type: ConversationStarted.type, data: { conversationId: command.conversationId, participantIds: command.participantIds, startedBy: command.startedBy } }];
    }
    assertParticipant(state, command.conversationId, command.senderId);
    return [{ type: MessagePosted.type, data: { conversationId: command.conversationId, messageId: command.messageId, senderId: command.senderId, text: command.text } }];
  },
};

export function assertParticipant(state: Conversation, conversationId: string, userId: string): void {
  if (!state.participants) throw new NotFoundError(`no conversation ${conversationId}`);
  if (!state.participants.includes(userId)) throw new ForbiddenError('only participants may read or post in this conversation');
}
