import { expect } from 'chai';
import { ValidationError, loadConfig } from '../../src/kernel/host.js';

describe('configuration: numbers', () => {
  it('PORT and SEAMS_LEASE_TTL_MS take decimal digits only, within their ranges', () => {
    expect(loadConfig({ PORT: '8080', SEAMS_LEASE_TTL_MS: '500' })).to.include({ port: 8080, leaseTtlMs: 500 });
    // An empty PORT is a mistake, not port 0 (z.coerce.number() would read it as 0).
    for (const [name, bad] of [['PORT', ''], ['PORT', '0x50'], ['PORT', '65536'], ['SEAMS_LEASE_TTL_MS', '99']]) {
      expect(() => loadConfig({ [name!]: bad }), `${name}=${bad}`).to.throw(ValidationError, new RegExp(name!));
    }
  });
});
