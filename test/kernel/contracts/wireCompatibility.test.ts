import { expect } from 'chai';
import { z } from 'zod';
import { breakingChanges } from '../../../src/kernel/contracts/wireCompatibility.js';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'output', unrepresentable: 'any' }) as never;
const before = z.object({ id: z.uuid(), title: z.string().max(100), lines: z.array(z.object({ itemId: z.string(), quantity: z.number().int() })), status: z.enum(['a', 'b']), note: z.string().optional() });

describe('wire compatibility of JSON Schemas', () => {
  it('the same shape, or one with a new optional field or other constraints, breaks nothing', () => {
    expect(breakingChanges(schema(before), schema(before))).to.deep.equal([]);
    expect(breakingChanges(schema(before), schema(before.extend({ extra: z.number().optional(), title: z.string().max(5) })))).to.deep.equal([]);
  });

  it('a removed field, a retyped one (type, values) and a new required one break, each named by its path', () => {
    const after = z.object({
      id: z.uuid(),
      lines: z.array(z.object({ itemId: z.number(), quantity: z.number().int() })),
      status: z.enum(['a', 'c']),
      note: z.string(),
      owner: z.string(),
    });
    expect(breakingChanges(schema(before), schema(after))).to.deep.equal([
      'removed field title',
      'retyped lines[].itemId: string → number',
      'retyped status: one of "a", "b" → one of "a", "c"',
      'new required field note',
      'new required field owner',
    ]);
  });

  it('a field that may now be null is retyped; a whole value of another type too', () => {
    expect(breakingChanges(schema(before), schema(before.extend({ title: z.string().nullable() })))).to.deep.equal(['retyped title: string → string or null']);
    expect(breakingChanges(schema(z.string()), schema(z.number()))).to.deep.equal(['retyped (the whole value): string → number']);
  });
});
