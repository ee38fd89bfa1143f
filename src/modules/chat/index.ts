import { defineModule } from '../../kernel/index.js';
import { publicEvents } from './contracts.js';
import { conversationEvents } from './events.js';
import { usersReplica } from './replicas/users.js';
import { routes } from './routes.js';
import { messages } from './views/messages.js';

/** chat: conversations between users, with its own replica of users. */
export const chat = defineModule({
  name: 'chat',
  publicEvents,
  privateEvents: conversationEvents,
  streams: ['conversation'],
  projections: [messages, usersReplica],
  routes,
});
