import { defineModule, revokedSessions } from '../../kernel/index.js';
import { LoggedOut } from '../identity/contracts.js';
import { publicEvents } from './contracts.js';
import { ConversationStarted, MessagePosted } from './conversation.js';
import { messages, usersReplica } from './replicas.js';
import { listMessagesRoute, postMessageRoute, startConversationRoute } from './routes.js';

/** chat: conversations between users, with replicas of users and of ended sessions. */
export const chat = defineModule({
  name: 'chat',
  publicEvents,
  privateEvents: [ConversationStarted, MessagePosted],
  streams: ['conversation'],
  projections: [messages, usersReplica, revokedSessions(LoggedOut)],
  routes: [startConversationRoute, postMessageRoute, listMessagesRoute],
});
