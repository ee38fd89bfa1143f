import { NotFoundError, decideAndAppend, newEvent, type Decider, type ModuleEvents } from '../../kernel/index.js';
import { ConversationStarted, MessagePosted, type ConversationEvent } from './events.js';

export interface Conversation {
  participants: string[] | null;
}

export type ConversationCommand =
  | { kind: 'start'; conversationId: string; participantIds: string[]; startedBy: string }
  | { kind: 'post'; conversationId: string; messageId: string; senderId: string; text: string };

/** A conversation's rules: it starts once; only its participants post. */
export const conversation: Decider<Conversation, ConversationCommand, ConversationEvent> = {
  initialState: () => ({ participants: null }),
  evolve(state, event) {
    return event.type === ConversationStarted.type ? { participants: event.data.participantIds } : state;
  },
  decide(command, state) {
    if (command.kind === 'start') {
      return [newEvent(ConversationStarted, { conversationId: command.conversationId, participantIds: command.participantIds, startedBy: command.startedBy })];
    }
    assertParticipant(state, command.conversationId, command.senderId);
    return [newEvent(MessagePosted, { conversationId: command.conversationId, messageId: command.messageId, senderId: command.senderId, text: command.text })];
  },
};

/** Only participants see a conversation: to anyone else it does not exist (404, like an unknown id, so ids cannot be probed). */
export function assertParticipant(state: Conversation, conversationId: string, userId: string): void {
  if (!state.participants?.includes(userId)) throw new NotFoundError(`no conversation ${conversationId}`);
}

export const handleConversation = (events: ModuleEvents, command: ConversationCommand) =>
  decideAndAppend(events, events.stream('conversation', command.conversationId), conversation, command);
