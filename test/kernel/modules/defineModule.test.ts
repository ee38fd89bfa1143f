import { expect } from 'chai';
import { defineModule, KERNEL_PATHS } from '../../../src/kernel/modules/defineModule.js';

describe('defineModule: names', () => {
  it('takes a lower-kebab-case name that is no path the kernel serves', () => {
    expect(defineModule({ name: 'order-history' }).name).to.equal('order-history');
  });

  it('refuses a name that is not lower-kebab-case', () => {
    for (const name of ['Orders', 'order_history', '9lives', '']) expect(() => defineModule({ name }), name).to.throw(TypeError, 'must be lower-kebab-case');
  });

  it('refuses every first path segment the kernel serves (module routes are found by it ahead of the kernel’s pages)', () => {
    expect([...KERNEL_PATHS]).to.include.members(['admin', 'admin-sign-in', 'api', 'docs', 'health', 'metrics', 'pages', 'readme']);
    for (const name of KERNEL_PATHS) expect(() => defineModule({ name }), name).to.throw(TypeError, `module name "${name}" is a path the kernel serves`);
  });
});
