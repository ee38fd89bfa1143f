import { defineModule, revokedSessions } from '../../kernel/index.js';
import { LoggedOut } from '../identity/contracts.js';
import { GetProfile } from '../users/contracts.js';
import { publicEvents } from './contracts.js';
import { items } from './items.js';
import { createItemRoute, getItemRoute, listItemsRoute, ownerCheckRoute } from './routes.js';
import { usersReplica } from './usersReplica.js';

/** catalog: items owned by users, validated against its own replica of users. */
export const catalog = defineModule({
  name: 'catalog',
  publicEvents,
  streams: ['item'],
  projections: [items, usersReplica, revokedSessions(LoggedOut)],
  asks: [GetProfile],
  routes: [createItemRoute, getItemRoute, listItemsRoute, ownerCheckRoute],
});
