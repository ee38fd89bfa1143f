/**
 * The modules' settings in tests: cheap password hashing (the default, N = 2^17, costs ~0.5 s a
 * hash) and address limits no test reaches by accident (every test client is on loopback).
 * Tests of those settings give their own.
 */
export const TEST_ENV: Readonly<Record<string, string>> = {
  IDENTITY_SCRYPT_COST: '10',
  IDENTITY_LOGINS_PER_ADDRESS_PER_MINUTE: '1000000',
  IDENTITY_REGISTRATIONS_PER_ADDRESS_PER_HOUR: '1000000',
};
