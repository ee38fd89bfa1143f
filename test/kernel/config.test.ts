import { expect } from 'chai';
import { ValidationError, loadConfig } from '../../src/kernel/index.js';

describe('configuration: ORDERS_CUSTOMER_WAIT_MS', () => {
  it('defaults to 2000 ms and takes a whole number of milliseconds', () => {
    expect(loadConfig({}).ordersCustomerWaitMs).to.equal(2000);
    expect(loadConfig({ ORDERS_CUSTOMER_WAIT_MS: '200' }).ordersCustomerWaitMs).to.equal(200);
    expect(loadConfig({ ORDERS_CUSTOMER_WAIT_MS: '0' }).ordersCustomerWaitMs).to.equal(0);
  });

  it('refuses anything else, naming the variable', () => {
    for (const bad of ['abc', '-1', '1.5', String(25 * 60 * 60_000)]) {
      expect(() => loadConfig({ ORDERS_CUSTOMER_WAIT_MS: bad }), bad).to.throw(ValidationError, /ORDERS_CUSTOMER_WAIT_MS/);
    }
  });
});
