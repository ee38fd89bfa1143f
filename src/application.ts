/**
 * Composition root: the application's modules. src/main.ts and src/cli.ts start them from here,
 * and `npm run lint:boundaries` checks their boundaries from here; it is the only file that
 * imports a module's index.ts.
 */
import type { ModuleDefinition } from './kernel/host.js';
import { catalog } from './modules/catalog/index.js';
import { chat } from './modules/chat/index.js';
import { communications } from './modules/communications/index.js';
import { customers } from './modules/customers/index.js';
import { identity } from './modules/identity/index.js';
import { jobs } from './modules/jobs/index.js';
import { orders } from './modules/orders/index.js';
import { users } from './modules/users/index.js';

export const modules: ModuleDefinition[] = [identity, users, catalog, chat, jobs, customers, orders, communications];
