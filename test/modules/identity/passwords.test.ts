import { expect } from 'chai';
import { parseModuleConfig } from '../../../src/kernel/host.js';
import { identityConfig } from '../../../src/modules/identity/config.js';
import { hashPassword, paramsOfCost, verifyPassword } from '../../../src/modules/identity/passwords.js';
import { identity } from '../../../src/modules/identity/index.js';

describe('identity: passwords', () => {
  const cheap = paramsOfCost(10);

  it('scrypt with a salt; verify accepts the password and nothing else', async () => {
    const a = await hashPassword('correct horse', cheap);
    const b = await hashPassword('correct horse', cheap);
    expect(a).to.match(/^scrypt\$1024\$8\$1\$/);
    expect(a).to.not.equal(b); // salted
    expect(await verifyPassword('correct horse', a, cheap)).to.deep.equal({ valid: true, outdated: false });
    expect((await verifyPassword('correct horsE', a, cheap)).valid).to.equal(false);
    expect((await verifyPassword('correct horse', 'garbage', cheap)).valid).to.equal(false);
    expect((await verifyPassword('correct horse', 'scrypt$0$8$1$c2FsdA$a2V5', cheap)).valid).to.equal(false);
  });

  it('by default hashes at OWASP’s parameters, N = 2^17, r = 8, p = 1 (128 MiB, within the memory scrypt is allowed)', async () => {
    const settings = identityConfig.of({ settings: parseModuleConfig(identity, {}) });
    expect(settings.IDENTITY_SCRYPT_COST).to.equal(17);
    const params = paramsOfCost(settings.IDENTITY_SCRYPT_COST);
    expect(params).to.deep.equal({ N: 131_072, r: 8, p: 1 });
    const hash = await hashPassword('correct horse', params);
    expect(hash).to.match(/^scrypt\$131072\$8\$1\$/);
    expect(await verifyPassword('correct horse', hash, params)).to.deep.equal({ valid: true, outdated: false });
  });

  it('a hash made with weaker parameters than today’s is valid and outdated', async () => {
    const old = await hashPassword('correct horse', cheap);
    expect(await verifyPassword('correct horse', old, paramsOfCost(11))).to.deep.equal({ valid: true, outdated: true });
    expect(await verifyPassword('wrong horse', old, paramsOfCost(11))).to.deep.equal({ valid: false, outdated: true });
  });
});
