import { expect } from 'chai';
import { ValidationError, loadConfig } from '../../src/kernel/index.js';

describe('configuration: ORDERS_CUSTOMER_WAIT_MS', () => {
  it('defaults to 2000 ms and takes a whole number of milliseconds', () => {
    expect(loadConfig({}).ordersCustomerWaitMs).to.equal(2000);
    expect(loadConfig({ ORDERS_CUSTOMER_WAIT_MS: '200' }).ordersCustomerWaitMs).to.equal(200);
    expect(loadConfig({ ORDERS_CUSTOMER_WAIT_MS: '0' }).ordersCustomerWaitMs).to.equal(0);
  });

  it('refuses anything else, naming the variable', () => {
    for (const bad of ['abc', '-1', '1.5', String(25 * 60 * 60_000), '0x10', '2e3', ' 200', '']) {
      expect(() => loadConfig({ ORDERS_CUSTOMER_WAIT_MS: bad }), bad).to.throw(ValidationError, /ORDERS_CUSTOMER_WAIT_MS/);
    }
  });
});

describe('configuration: numbers', () => {
  it('PORT, JOBS_POOL_SIZE and SEAMS_LEASE_TTL_MS take decimal digits only, within their ranges', () => {
    expect(loadConfig({ PORT: '8080', JOBS_POOL_SIZE: '7', SEAMS_LEASE_TTL_MS: '500' })).to.include({ port: 8080, jobsPoolSize: 7, leaseTtlMs: 500 });
    // An empty PORT is a mistake, not port 0 (z.coerce.number() would read it as 0).
    for (const [name, bad] of [['PORT', ''], ['PORT', '0x50'], ['PORT', '65536'], ['JOBS_POOL_SIZE', '1e3'], ['JOBS_POOL_SIZE', '0'], ['SEAMS_LEASE_TTL_MS', '99']]) {
      expect(() => loadConfig({ [name!]: bad }), `${name}=${bad}`).to.throw(ValidationError, new RegExp(name!));
    }
  });
});
