import { defineConfig, wholeNumber } from '../../kernel/index.js';

/** orders' settings (environment variables). */
export const ordersConfig = defineConfig({
  /** How long an order placed for an unknown customer waits for it to appear in orders' replica (ms). */
  ORDERS_CUSTOMER_WAIT_MS: wholeNumber(0, 24 * 60 * 60_000).default(2000),
});
