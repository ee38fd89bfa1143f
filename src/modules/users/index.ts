import { defineModule } from '../../kernel/index.js';
import { publicEvents } from './contracts.js';
import { queries } from './queries.js';
import { routes } from './routes.js';
import { profiles } from './views/profiles.js';

/** users: public profiles, created from registrations and changed by their owners. */
export const users = defineModule({
  name: 'users',
  publicEvents,
  streams: ['profile'],
  projections: [profiles],
  queries,
  routes,
});
