import type { RecordedEventOf } from '../../kernel/index.js';
import { CreditLimitExceeded, CreditReleased, CreditReserved, CustomerDeleted, CustomerRegistered } from './contracts.js';

/** Every event of customers: all public, defined in contracts.ts; one stream per customer (`customers.customer-<id>`). */
export const customerEvents = [CustomerRegistered, CustomerDeleted, CreditReserved, CreditLimitExceeded, CreditReleased];
export type CustomerEvent = RecordedEventOf<(typeof customerEvents)[number]>;
