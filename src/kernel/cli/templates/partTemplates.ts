import type { EventField } from './eventShape.js';
import { pascalCase, snakeCase, type ModuleNames } from './names.js';

/** An event a generated part reacts to or copies: its contract's export and where it is imported from. */
export interface EventSource {
  /** The contract's export, e.g. `CreditReserved`. */
  name: string;
  /** From a file of processes/ or replicas/, e.g. `../../customers/contracts.js`. */
  from: string;
  fields: readonly EventField[];
  key: EventField;
}

const kernelBelow = (n: ModuleNames) => (n.kernel.startsWith('.') ? `../${n.kernel}` : n.kernel);

/**
 * A view of the module's own events (views/<name>.ts): one row per event, its position, stream
 * and type, inserted once. `events` is the module's list of every event (events.ts).
 */
export function projectionFile(n: ModuleNames, name: string, events: string): string {
  const table = snakeCase(name);
  return `import { z } from 'zod';
import { defineProjection, defineRow, on } from '${kernelBelow(n)}';
import { ${events} } from '../events.js';

export const ${name}Row = defineRow(
  z.object({
    /** The event's global position: one row per event, inserted once, never updated. */
    position: z.number().int(),
    stream: z.string(),
    type: z.string(),
    at: z.string(),
  }),
  { primary: ['position'] },
);

/** Every event of ${n.module}, one row each: replace with the read model you need. */
export const ${name} = defineProjection({
  name: '${table}',
  version: 1,
  tables: { ${table}: ${name}Row.table },
  handlers: ${events}.map((contract) =>
    on(contract, async (e, { db, tables }) => {
      await db(tables.${table}).insert(${name}Row.toDb({ position: e.position, stream: e.stream, type: e.type, at: e.recordedAt })).onConflict('position').ignore();
    }),
  ),
});
`;
}

/** A process (processes/<name>.ts) started by an event, one instance per its key; it notes the event and completes. */
export function processFile(n: ModuleNames, name: string, on: EventSource): string {
  const S = `${pascalCase(name)}State`;
  return `import { defineProcess, react } from '${kernelBelow(n)}';
import { ${on.name} } from '${on.from}';

interface ${S} {
  ${on.key.name}: string;
}

/**
 * ${on.name} → one instance per ${on.key.name}. It only notes the event and completes: make it
 * \`send\` a command (and list it in \`sends\`), \`read\` a replica first, or wait for more events.
 */
export const ${name} = defineProcess<${S}>({
  name: '${snakeCase(name)}',
  initialState: (id) => ({ ${on.key.name}: id }),
  sends: [],
  reactions: [
    react(${on.name}, {
      start: (e) => e.data.${on.key.name},
      decide: () => ({ step: 'noted ${on.name}', end: 'completed' }),
    }),
  ],
});
`;
}

/** The spec of a generated process (test/modules/<m>/processes/<name>.test.ts). */
export function processSpecFile(n: ModuleNames, name: string, on: EventSource): string {
  const contract = on.from.startsWith('../../') && !on.from.startsWith('../../../') ? on.from.replace('../../', '../../../../src/modules/') : on.from.replace('../', `../../../../src/modules/${n.module}/`);
  const data = Object.fromEntries(on.fields.filter((f) => f.required).map((f) => [f.name, f.example]));
  return `import { input, processSpec } from '${n.kernelHost.startsWith('.') ? `../${n.kernelHost}` : n.kernelHost}';
import { ${on.name} } from '${contract}';
import { ${name} } from '../../../../src/modules/${n.module}/processes/${name}.js';

const data = ${JSON.stringify(data)};

describe('${n.module}: the ${name} process (spec)', () => {
  it('notes ${on.name} and completes', () => {
    processSpec(${name}, data.${on.key.name}).given([]).when(input.event(${on.name}, data)).then({ send: [], status: 'completed', step: 'noted ${on.name}' });
  });
});
`;
}

/** A replica (replicas/<name>.ts): the copyable fields of another module's public events, one row per key. */
export function replicaFile(n: ModuleNames, name: string, from: readonly EventSource[]): string {
  const key = from[0]!.key.name;
  // The columns are those of the first event; the others fill what they have of them.
  const columns = from[0]!.fields.filter((f) => f.column);
  const imports = [...new Map(from.map((s) => [s.from, from.filter((o) => o.from === s.from).map((o) => o.name)])).entries()];
  const copies = from.map((s, i) => {
    const have = columns.filter((c) => s.fields.some((f) => f.name === c.name && f.column === c.column && (f.required || !c.required)));
    const mode = i === 0 ? "'ignore'" : `{ merge: [${have.filter((c) => c.name !== key).map((c) => `'${c.name}'`).join(', ')}] }`;
    return `    copy(${s.name}, (e) => ({ ${have.map((c) => `${c.name}: e.data.${c.name}`).join(', ')} }), ${mode}),`;
  });
  return `import { z } from 'zod';
import { copy, replica } from '${kernelBelow(n)}';
${imports.map(([path, names]) => `import { ${[...new Set(names)].join(', ')} } from '${path}';`).join('\n')}

/** ${n.module}'s own copy of what it needs of ${from.map((s) => s.name).join(', ')}, one row per ${key}. */
export const ${name} = replica({
  name: '${snakeCase(name)}_replica',
  version: 1,
  table: '${snakeCase(name)}',
  row: z.object({ ${columns.map((c) => `${c.name}: ${c.column}${c.required ? '' : '.optional()'}`).join(', ')} }),
  key: '${key}',
  from: [
${copies.join('\n')}
  ],
});
`;
}
