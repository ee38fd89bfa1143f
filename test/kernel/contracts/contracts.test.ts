import { expect } from 'chai';
import { z } from 'zod';
import { defineCommand, defineEvent, defineQuery, EventRegistry, ValidationError } from '../../../src/kernel/host.js';

describe('contracts', () => {
  it('names the owning module from the type prefix', () => {
    expect(defineEvent('users.ProfileUpdated', 1, z.object({})).module).to.equal('users');
    expect(defineCommand('communications.SendMail', z.object({})).module).to.equal('communications');
    expect(defineQuery('users.GetProfile', z.object({}), z.object({})).module).to.equal('users');
  });

  it('refuses a type that is not <module>.<Name>', () => {
    expect(() => defineEvent('ProfileUpdated', 1, z.object({}))).to.throw(/not a message name of the form <module>.<Name>/);
    expect(() => defineCommand('users.sendMail', z.object({}))).to.throw(/<module>.<Name>/);
  });

  it('refuses a schema version without upcasters for every older version', () => {
    expect(() => defineEvent('t.E', 3, z.object({}), { upcasters: { 1: (d) => d } })).to.throw(/needs an upcaster from version 2/);
    expect(() => defineEvent('t.E', 0, z.object({}))).to.throw(/positive integer/);
  });

  it('chains upcasters from the stored version to the current one', () => {
    const E = defineEvent('t.E', 3, z.object({ c: z.number() }), {
      upcasters: { 1: (d: { a: number }) => ({ b: d.a * 2 }), 2: (d: { b: number }) => ({ c: d.b + 1 }) },
    });
    const registry = new EventRegistry([E]);
    expect(registry.upcast('t.E', 1, { a: 5 })).to.deep.equal({ data: { c: 11 }, schemaVersion: 3 });
    expect(registry.upcast('t.E', 2, { b: 5 })).to.deep.equal({ data: { c: 6 }, schemaVersion: 3 });
    expect(registry.upcast('t.E', 3, { c: 1 })).to.deep.equal({ data: { c: 1 }, schemaVersion: 3 });
  });

  it('validates data against the current schema and names the failing fields', () => {
    const E = defineEvent('t.E', 1, z.object({ n: z.number(), s: z.string() }));
    const registry = new EventRegistry([E]);
    expect(registry.prepare('t.E', { n: 1, s: 'x' })).to.deep.equal({ data: { n: 1, s: 'x' }, schemaVersion: 1 });
    try {
      registry.prepare('t.E', { n: 'x' });
      expect.fail('should throw');
    } catch (error) {
      expect(error).to.be.instanceOf(ValidationError);
      expect((error as ValidationError).errors).to.deep.equal([
        { path: 'n', message: 'Invalid input: expected number, received string' },
        { path: 's', message: 'Invalid input: expected string, received undefined' },
      ]);
    }
  });

  it('refuses two different contracts for one event type', () => {
    const a = defineEvent('t.E', 1, z.object({}));
    const b = defineEvent('t.E', 1, z.object({}));
    expect(() => new EventRegistry([a, b])).to.throw(/defined twice/);
  });
});
