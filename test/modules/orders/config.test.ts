import { expect } from 'chai';
import { ValidationError, parseModuleConfig } from '../../../src/kernel/host.js';
import { ordersConfig } from '../../../src/modules/orders/config.js';
import { orders } from '../../../src/modules/orders/index.js';

const settings = (env: Record<string, string>) => ordersConfig.of({ settings: parseModuleConfig(orders, env) });

describe('orders settings: ORDERS_CUSTOMER_WAIT_MS', () => {
  it('defaults to 2000 ms and takes a whole number of milliseconds', () => {
    expect(settings({}).ORDERS_CUSTOMER_WAIT_MS).to.equal(2000);
    expect(settings({ ORDERS_CUSTOMER_WAIT_MS: '200' }).ORDERS_CUSTOMER_WAIT_MS).to.equal(200);
    expect(settings({ ORDERS_CUSTOMER_WAIT_MS: '0' }).ORDERS_CUSTOMER_WAIT_MS).to.equal(0);
  });

  it('refuses anything else, naming the variable', () => {
    for (const bad of ['abc', '-1', '1.5', String(25 * 60 * 60_000), '0x10', '2e3', ' 200', '']) {
      expect(() => settings({ ORDERS_CUSTOMER_WAIT_MS: bad }), bad).to.throw(ValidationError, /ORDERS_CUSTOMER_WAIT_MS/);
    }
  });
});
