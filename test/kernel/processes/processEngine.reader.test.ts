import { join } from 'node:path';
import { expect } from 'chai';
import pino from 'pino';
import { defineProcess } from '../../../src/kernel/host.js';
import type { ProcessEnv } from '../../../src/kernel/processes/advance.js';
import { ProcessEngine } from '../../../src/kernel/processes/processEngine.js';
import { processTables, type ProcessTables } from '../../../src/kernel/processes/processTables.js';
import { openSqlite } from '../../../src/kernel/sqlite/connection.js';
import { eventually } from '../../support/http.js';
import { tempDir } from '../../support/tempDir.js';

const tables: ProcessTables = { instances: 'p_instances', outbox: 'p_outbox', timers: 'p_timers' };
const idle = defineProcess<{ id: string }>({ name: 'p', initialState: (id) => ({ id }), sends: [], reactions: [] });

/**
 * The engine's looks for due commands and timers go through the module's reader: on SQLite the
 * writer is one connection, held whole by every transaction (a projection batch, a mark), and a
 * pass that looked through it waited in line behind them before it could send anything.
 */
describe('process engine: looks for due work through the reader', function () {
  this.timeout(10_000);

  it('sends a due command while a long transaction holds the writer, and marks it once the writer is free', async () => {
    const dir = await tempDir('seams-engine-reader-');
    const filename = join(dir.path, 'm.sqlite');
    const writer = openSqlite({ filename });
    const reader = openSqlite({ filename, queryOnly: true });
    let release = () => {};
    let held: Promise<void> | undefined;
    const sent: string[] = [];
    const engine = new ProcessEngine(
      { db: writer, reader, tablesOf: () => tables, env: {} as ProcessEnv, catchUp: async () => true },
      [idle],
      async (_type, _data, meta) => void sent.push(meta.commandId),
      pino({ level: 'silent' }),
      { pollMs: 10 },
    );
    try {
      for (const name of ['instances', 'outbox', 'timers'] as const) await writer.schema.createTable(tables[name], processTables[name]);
      const command = { instance_id: 'i-1', command_id: '00000000-0000-4000-8000-000000000001', command_type: 'x.Do', data: '{}', purpose: 'step', status: 'pending', attempts: 0, next_attempt_at: 0 };
      await writer(tables.outbox).insert(command);
      const holding = new Promise<void>((resolve) => {
        held = writer.transaction(async (trx) => {
          await trx(tables.outbox).where({ seq: 1 }).update({ last_error: 'held' });
          resolve();
          await new Promise<void>((r) => (release = r));
        });
      });
      await holding;
      engine.start();
      await eventually(async () => sent.length > 0);
      expect(sent).to.deep.equal([command.command_id]);
      expect((await reader(tables.outbox).first()).status).to.equal('pending'); // its mark waits for the writer
      release();
      await held;
      await eventually(async () => ((await reader(tables.outbox).first()) as { status: string }).status === 'done');
      expect(sent).to.have.length(1);
    } finally {
      release();
      await held?.catch(() => undefined);
      await engine.stop();
      await reader.destroy();
      await writer.destroy();
      await dir.cleanup();
    }
  });
});
