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

/**
 * The conversation as its rules need it, from its first event alone (who takes part never
 * changes): posting to or reading a long conversation costs no more than a short one.
 */
export async function loadConversation(events: ModuleEvents, conversationId: string): Promise<Conversation> {
  const [first] = await events.readStream(events.stream('conversation', conversationId), { maxCount: 1 });
  return first ? conversation.evolve(conversation.initialState(), first as ConversationEvent) : conversation.initialState();
}

/**
 * Starts a conversation on a new stream, or posts to one: a message is decided on who takes
 * part and appended to the existing stream (messages may interleave; no message depends on another).
 */
export async function handleConversation(events: ModuleEvents, command: ConversationCommand) {
  const stream = events.stream('conversation', command.conversationId);
  if (command.kind === 'start') return decideAndAppend(events, stream, conversation, command);
  const appended = conversation.decide(command, await loadConversation(events, command.conversationId));
  return { appended, result: await events.append(stream, appended, { expectedRevision: 'stream_exists' }) };
}
