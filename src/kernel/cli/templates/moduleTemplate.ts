import { EXAMPLE_UUID, pascalCase, singular, snakeCase, type ModuleNames } from './names.js';

/**
 * The files of a new module, in the anatomy (docs/DESIGN.md): contracts (one public event),
 * events (one private), one aggregate with its decider and handle<Aggregate>, a view with its
 * find, two routes, the definition, and the decider's spec. Paths relative to the application's
 * root. Shaped after customers, small enough to read in a minute and replace.
 */
export function moduleFiles(n: ModuleNames): Record<string, string> {
  const a = singular(n.camel);
  const A = pascalCase(a);
  const t = `${snakeCase(a)}_views`;
  const id = `${a}Id`;
  const col = `${snakeCase(a)}_id`;
  const dir = `src/modules/${n.module}`;
  const viewKernel = n.kernel.startsWith('.') ? `../${n.kernel}` : n.kernel;
  const access = n.access === 'anyone' ? "'anyone'" : "['member']";
  return {
    [`${dir}/contracts.ts`]: `import { z } from 'zod';
import { defineEvent } from '${n.kernel}';

/** ${n.module}'s public face, the only file other modules import: what they may consume of it. */
export const ${A}Created = defineEvent('${n.module}.${A}Created', 1, z.object({ ${id}: z.uuid(), name: z.string() }));

export const publicEvents = [${A}Created];
`,
    [`${dir}/events.ts`]: `import { z } from 'zod';
import { defineEvent, type RecordedEventOf } from '${n.kernel}';
import { ${A}Created } from './contracts.js';

/** Read by ${n.module} alone. */
export const ${A}Renamed = defineEvent('${n.module}.${A}Renamed', 1, z.object({ ${id}: z.uuid(), name: z.string() }));

export const privateEvents = [${A}Renamed];

/** Every event of ${n.module}; one stream per ${a} (\`${n.module}.${a}-<id>\`). */
export const ${a}Events = [${A}Created, ${A}Renamed];
export type ${A}Event = RecordedEventOf<(typeof ${a}Events)[number]>;
`,
    [`${dir}/${a}.ts`]: `import { ConflictError, NotFoundError, decideAndAppend, newEvent, type DecideOptions, type Decider, type ModuleEvents } from '${n.kernel}';
import { ${A}Created } from './contracts.js';
import { ${A}Renamed, type ${A}Event } from './events.js';

/** One ${a}'s stream (\`${n.module}.${a}-<id>\`). */
export interface ${A} {
  ${id}: string | null;
  name: string;
}

export type ${A}Command = { kind: 'create'; ${id}: string; name: string } | { kind: 'rename'; ${id}: string; name: string };

export const ${a}: Decider<${A}, ${A}Command, ${A}Event> = {
  initialState: () => ({ ${id}: null, name: '' }),
  evolve(state, event) {
    switch (event.type) {
      case ${A}Created.type:
        return { ${id}: event.data.${id}, name: event.data.name };
      case ${A}Renamed.type:
        return { ...state, name: event.data.name };
    }
  },
  decide(command, state) {
    switch (command.kind) {
      case 'create':
        if (state.${id}) throw new ConflictError(\`${a} \${command.${id}} exists already\`);
        return [newEvent(${A}Created, { ${id}: command.${id}, name: command.name })];
      case 'rename':
        if (!state.${id}) throw new NotFoundError(\`no ${a} \${command.${id}}\`);
        // The same name again changes nothing.
        return state.name === command.name ? [] : [newEvent(${A}Renamed, { ${id}: command.${id}, name: command.name })];
    }
  },
};

/** Decides a command on the ${a}'s stream and appends what it decided. */
export const handle${A} = (events: ModuleEvents, command: ${A}Command, options: DecideOptions<${A}> = {}) =>
  decideAndAppend(events, events.stream('${a}', command.${id}), ${a}, command, options);
`,
    [`${dir}/views/${a}Views.ts`]: `import { z } from 'zod';
import { defineProjection, defineRow, findCaughtUp, on, type ModuleContext } from '${viewKernel}';
import { ${A}Created } from '../contracts.js';
import { ${A}Renamed } from '../events.js';

export const ${a}Row = defineRow(
  z.object({
    ${id}: z.uuid(),
    name: z.string(),
    /** The stream revision of its last event: the ETag. */
    revision: z.number().int(),
  }),
  { primary: ['${id}'] },
);

/** What clients read of a ${a}. */
export const ${a}View = ${a}Row.schema.pick({ ${id}: true, name: true });

/** One row per ${a}, as its events say. */
export const ${a}Views = defineProjection({
  name: '${t}',
  version: 1,
  tables: { ${t}: ${a}Row.table },
  handlers: [
    on(${A}Created, async (e, { db, tables }) => {
      await db(tables.${t}).insert(${a}Row.toDb({ ...e.data, revision: e.revision })).onConflict('${col}').ignore();
    }),
    on(${A}Renamed, async (e, { db, tables }) => {
      await db(tables.${t}).where({ ${col}: e.data.${id} }).update(${a}Row.toDb({ name: e.data.name, revision: e.revision }));
    }),
  ],
});

/** A ${a} with its revision, or undefined; lets the view catch up once before saying no. */
export async function find${A}(ctx: ModuleContext, ${id}: string) {
  return findCaughtUp(ctx, ${a}Views, async () => {
    const found = await ctx.db(ctx.tables(${a}Views).${t}).where({ ${col}: ${id} }).first();
    return found ? ${a}Row.fromDb(found) : undefined;
  });
}
`,
    [`${dir}/routes.ts`]: `import { z } from 'zod';
import { NotFoundError, created, ok, route } from '${n.kernel}';
import { handle${A} } from './${a}.js';
import { ${a}View, find${A} } from './views/${a}Views.js';

export const create${A}Route = route.post('', {
  summary: 'create a ${a}: 201 with its id',
  access: ${access},
  body: z.object({ name: z.string().trim().min(1).max(200) }),
  responses: { 201: z.object({ ${id}: z.uuid() }) },
  async handle({ ctx, body }) {
    // ctx.newId(): the same id again when a POST is repeated under its Idempotency-Key.
    const ${id} = ctx.newId();
    const { result } = await handle${A}(ctx.events, { kind: 'create', ${id}, name: body.name });
    return created({ ${id} }, { position: result!.position, revision: 0 });
  },
});

export const get${A}Route = route.get('/:${id}', {
  summary: 'a ${a} (ETag: its revision); 404 when unknown',
  access: ${access},
  params: z.object({ ${id}: z.uuid() }),
  responses: { 200: ${a}View },
  async handle({ ctx, params }) {
    const found = await find${A}(ctx, params.${id});
    if (!found) throw new NotFoundError(\`no ${a} \${params.${id}}\`);
    const { revision, ...view } = found;
    return ok(view, { revision });
  },
});

export const routes = [create${A}Route, get${A}Route];
`,
    [`${dir}/index.ts`]: `import { defineModule } from '${n.kernel}';
import { publicEvents } from './contracts.js';
import { privateEvents } from './events.js';
import { routes } from './routes.js';
import { ${a}Views } from './views/${a}Views.js';

/** ${n.module}: say here what it owns and decides. */
export const ${n.camel} = defineModule({
  name: '${n.module}',
  publicEvents,
  privateEvents,
  streams: ['${a}'],
  projections: [${a}Views],
  routes,
  migrations: new URL('../../../migrations/${n.module}/', import.meta.url),
});
`,
    [`migrations/${n.module}/.gitkeep`]: '',
    [`test/modules/${n.module}/${a}.test.ts`]: `import { ConflictError, NotFoundError, deciderSpec as spec } from '${n.kernelHost}';
import { ${A}Created } from '../../../src/modules/${n.module}/contracts.js';
import { ${a} } from '../../../src/modules/${n.module}/${a}.js';
import { ${A}Renamed } from '../../../src/modules/${n.module}/events.js';

const ${id} = '${EXAMPLE_UUID}';
const created = { type: ${A}Created.type, data: { ${id}, name: 'First' } };

describe('${n.module}: ${a}', () => {
  it('is created once', () => {
    spec(${a}).given([]).when({ kind: 'create', ${id}, name: 'First' }).then([created]);
    spec(${a}).given([created]).when({ kind: 'create', ${id}, name: 'Again' }).thenThrows(ConflictError);
  });

  it('is renamed when it exists and the name is new', () => {
    spec(${a}).given([created]).when({ kind: 'rename', ${id}, name: 'Second' }).then([{ type: ${A}Renamed.type, data: { ${id}, name: 'Second' } }]);
    spec(${a}).given([created]).when({ kind: 'rename', ${id}, name: 'First' }).then([]);
    spec(${a}).given([]).when({ kind: 'rename', ${id}, name: 'Second' }).thenThrows(NotFoundError);
  });
});
`,
  };
}
