/**
 * A small application of its own on the installed kernel (test/e2e/kernel-package.test.ts): one
 * module, notes, with one event, one projection, one process (it counts each note through a
 * command whose handler writes the module's own table, made by the application's migration) and
 * its routes, written against `@seams/kernel` as a team outside this repository would, laid out
 * as `seams new` expects (src/modules/<m>/, src/application.ts, migrations/<m>/).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const notes = `import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { command, created, defineCommand, defineEvent, defineModule, defineProcess, defineProjection, defineRow, handleCommand, newEvent, ok, on, react, route } from '@seams/kernel';

export const NoteWritten = defineEvent('notes.NoteWritten', 1, z.object({ noteId: z.uuid(), text: z.string() }));
const CountNote = defineCommand('notes.CountNote', z.object({ noteId: z.uuid() }));

const noteRow = defineRow(z.object({ noteId: z.uuid(), text: z.string() }), { primary: ['noteId'] });
const noteList = defineProjection({
  name: 'note_list',
  version: 1,
  tables: { notes: noteRow.table },
  handlers: [on(NoteWritten, async (e, { db, tables }) => void (await db(tables.notes).insert(noteRow.toDb(e.data)).onConflict('note_id').ignore()))],
});

// The process counts each note once, through a command whose handler writes the module's own table (migrations/notes).
const counting = defineProcess<{ noteId: string }>({
  name: 'counting',
  initialState: (noteId) => ({ noteId }),
  sends: [CountNote],
  reactions: [react(NoteWritten, { start: (e) => e.data.noteId, decide: (s) => ({ step: 'counted', send: [command(CountNote, { noteId: s.noteId })], end: 'completed' }) })],
});

const write = route.post('', {
  summary: 'write a note',
  access: 'anyone',
  body: z.object({ text: z.string().min(1) }),
  responses: { 201: z.object({ noteId: z.uuid() }) },
  async handle({ ctx, body }) {
    const noteId = randomUUID();
    const appended = await ctx.events.append(ctx.events.stream('note', noteId), [newEvent(NoteWritten, { noteId, text: body.text })]);
    return created({ noteId }, { position: appended.position });
  },
});

const list = route.get('', {
  summary: 'the notes, and how many the process counted',
  access: 'anyone',
  responses: { 200: z.object({ notes: z.array(z.string()), counted: z.number().int() }) },
  async handle({ ctx }) {
    const rows = await ctx.db(ctx.tables(noteList).notes).select('text').orderBy('text');
    const [count] = await ctx.db('note_counts').count({ n: '*' });
    return ok({ notes: rows.map((r: { text: string }) => r.text), counted: Number(count?.n ?? 0) });
  },
});

export const notes = defineModule({
  name: 'notes',
  privateEvents: [NoteWritten],
  streams: ['note'],
  commands: [handleCommand(CountNote, async (ctx, data) => void (await ctx.db('note_counts').insert({ note_id: data.noteId }).onConflict('note_id').ignore()))],
  projections: [noteList],
  processes: [counting],
  routes: [write, list],
  migrations: new URL('../../../migrations/notes/', import.meta.url),
});
`;

const app = `import type { ModuleDefinition } from '@seams/kernel/host';
import { notes } from './modules/notes/index.js';

export const modules: ModuleDefinition[] = [notes];
`;

const migration = `export const up = (knex) => knex.schema.createTable('note_counts', (t) => t.string('note_id').primary());
export const down = (knex) => knex.schema.dropTable('note_counts');
`;

const tsconfig = {
  compilerOptions: { target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, skipLibCheck: true, types: ['node'], outDir: 'dist', rootDir: 'src' },
  include: ['src'],
};

/** Writes the application into `dir`: its package.json names the composition root for the `seams` bin. */
export async function writePackageApp(dir: string): Promise<void> {
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'notes-app', private: true, type: 'module', seams: { app: './dist/application.js' } }, null, 2),
    'tsconfig.json': JSON.stringify(tsconfig, null, 2),
    'src/modules/notes/index.ts': notes,
    'src/application.ts': app,
    'migrations/notes/20260101000000_note_counts.js': migration,
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}
