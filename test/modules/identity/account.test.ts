import { expect } from 'chai';
import { ConflictError } from '../../../src/kernel/host.js';
import { account, accountId } from '../../../src/modules/identity/account.js';
import { UserRegistered } from '../../../src/modules/identity/contracts.js';
import { PasswordSet } from '../../../src/modules/identity/events.js';
import { deciderSpec as spec } from '../../../src/kernel/host.js';

const userId = '0a8f0b5e-7a43-4c0e-9a55-7b7bb0b0f001';
const register = { kind: 'register' as const, userId, email: ' Ada@Example.COM ', displayName: 'Ada', passwordHash: 'scrypt$hash' };

describe('identity: account', () => {
  it('a new email registers: a public UserRegistered without secrets, and a private PasswordSet', () => {
    spec(account)
      .given([])
      .when(register)
      .then([
        { type: UserRegistered.type, data: { userId, email: 'ada@example.com', displayName: 'Ada' } },
        { type: PasswordSet.type, data: { userId, passwordHash: 'scrypt$hash' } },
      ]);
  });

  it('an email registered before is refused', () => {
    spec(account)
      .given([{ type: UserRegistered.type, data: { userId, email: 'ada@example.com', displayName: 'Ada' } }])
      .when({ ...register, userId: '0a8f0b5e-7a43-4c0e-9a55-7b7bb0b0f002' })
      .thenThrows(ConflictError, /already registered/);
  });

  it('one account stream per email, whatever its case and spaces', () => {
    expect(accountId(' Ada@Example.COM')).to.equal(accountId('ada@example.com'));
    expect(accountId('ada@example.com')).to.match(/^[0-9a-f]{64}$/);
    expect(accountId('ada@example.com')).to.not.equal(accountId('bob@example.com'));
  });

  it('a login with a stronger hash at hand replaces the stored one (rehash); an unknown account has nothing to rehash', () => {
    const registered = { type: UserRegistered.type, data: { userId, email: 'ada@example.com', displayName: 'Ada' } };
    spec(account).given([registered]).when({ kind: 'rehash', email: 'ada@example.com', passwordHash: 'scrypt$stronger' }).then([{ type: PasswordSet.type, data: { userId, passwordHash: 'scrypt$stronger' } }]);
    spec(account).given([]).when({ kind: 'rehash', email: 'ada@example.com', passwordHash: 'scrypt$stronger' }).then([]);
  });
});
