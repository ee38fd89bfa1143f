import { defineModule } from '../../kernel/index.js';
import { GetProfile } from '../users/contracts.js';
import { publicEvents } from './contracts.js';
import { usersReplica } from './replicas/users.js';
import { routes } from './routes.js';
import { items } from './views/items.js';

/** catalog: items owned by users, validated against its own replica of users. */
export const catalog = defineModule({
  name: 'catalog',
  publicEvents,
  streams: ['item'],
  projections: [items, usersReplica],
  asks: [GetProfile],
  routes,
});
