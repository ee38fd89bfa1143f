import { defineConfig, wholeNumber } from '../../kernel/index.js';

/** identity's settings (environment variables): password hashing and the limits on guessing and sign-ups. */
export const identityConfig = defineConfig({
  /** scrypt's cost as a power of two: N = 2^cost (OWASP: 2^17, with r = 8, p = 1). Lower it only for tests. */
  IDENTITY_SCRYPT_COST: wholeNumber(10, 20).default(17),
  /** Failed logins for one account from one address before each further one locks that pair, for twice as long each time. */
  IDENTITY_LOGIN_FREE_FAILURES: wholeNumber(1, 1000).default(5),
  /** The longest such lock (seconds). */
  IDENTITY_LOGIN_MAX_LOCK_SECONDS: wholeNumber(1, 86_400).default(900),
  /** Login attempts one client address may make per minute, whatever the account. */
  IDENTITY_LOGINS_PER_ADDRESS_PER_MINUTE: wholeNumber(1, 1_000_000).default(30),
  /** Registrations one client address may make per hour. */
  IDENTITY_REGISTRATIONS_PER_ADDRESS_PER_HOUR: wholeNumber(1, 1_000_000).default(20),
});
