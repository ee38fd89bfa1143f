import { z } from 'zod';
import { defineEvent, EventRegistry } from '../../src/kernel/host.js';

/** Event contracts used by kernel tests. */
export const Happened = defineEvent('test.Happened', 1, z.object({ n: z.number().int(), note: z.string().optional() }));
export const Other = defineEvent('test.Other', 1, z.object({ label: z.string() }));
export const Large = defineEvent('test.Large', 1, z.object({ blob: z.string() }));

/** Version 1 of `test.Renamed` stored `name`; version 2 splits it. */
export const RenamedV1 = defineEvent('test.Renamed', 1, z.object({ name: z.string() }));
export const RenamedV2 = defineEvent('test.Renamed', 2, z.object({ first: z.string(), last: z.string() }), {
  upcasters: {
    1: (v1: { name: string }) => {
      const [first = '', ...rest] = v1.name.split(' ');
      return { first, last: rest.join(' ') };
    },
  },
});

export const testRegistry = () => new EventRegistry([Happened, Other, Large, RenamedV2]);
export const happened = (n: number, extra: Partial<{ id: string; note: string }> = {}) => ({
  ...(extra.id ? { id: extra.id } : {}),
  type: Happened.type,
  data: { n, ...(extra.note ? { note: extra.note } : {}) },
});
