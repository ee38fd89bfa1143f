import { expect } from 'chai';
import { ValidationError, loadConfig } from '../../src/kernel/host.js';

describe('configuration: numbers', () => {
  it('PORT, SEAMS_LEASE_TTL_MS and SEAMS_READY_MAX_LAG_S take decimal digits only, within their ranges', () => {
    expect(loadConfig({ PORT: '8080', SEAMS_LEASE_TTL_MS: '500', SEAMS_READY_MAX_LAG_S: '30' })).to.include({ port: 8080, leaseTtlMs: 500, readyMaxLagS: 30 });
    expect(loadConfig({}).readyMaxLagS).to.equal(undefined);
    // An empty PORT is a mistake, not port 0 (z.coerce.number() would read it as 0).
    for (const [name, bad] of [['PORT', ''], ['PORT', '0x50'], ['PORT', '65536'], ['SEAMS_LEASE_TTL_MS', '99'], ['SEAMS_READY_MAX_LAG_S', '0'], ['SEAMS_READY_MAX_LAG_S', '1.5']]) {
      expect(() => loadConfig({ [name!]: bad }), `${name}=${bad}`).to.throw(ValidationError, new RegExp(name!));
    }
  });
});
