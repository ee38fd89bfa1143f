import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { openModuleDatabase, openModuleReader } from '../../../src/kernel/modules/moduleDatabase.js';
import { HandledCommands } from '../../../src/kernel/runtime/handledCommands.js';
import { quietLog } from '../../support/runtimeHarness.js';
import { tempDir } from '../../support/tempDir.js';

describe('handled commands: looked up beside the writer, written behind', function () {
  this.timeout(20_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let writer: Knex;
  let reader: Knex;
  let handled: HandledCommands;

  beforeEach(async () => {
    dir = await tempDir('seams-handled-');
    const config = { kind: 'sqlite' as const, dataDir: dir.path };
    writer = await openModuleDatabase('ledger', config);
    reader = openModuleReader('ledger', config)!;
    handled = new HandledCommands(writer, reader, quietLog);
  });
  afterEach(async () => {
    await handled.close();
    await reader.destroy();
    await writer.destroy();
    await dir.cleanup();
  });

  const stored = async () => (await writer('handled_commands').pluck('command_id')) as string[];

  it('answers a recorded id at once, before it is written, and from the database after', async () => {
    const id = randomUUID();
    expect(await handled.has(id)).to.equal(false);
    handled.record(id, 'ledger.Hold');
    expect(await handled.has(id)).to.equal(true);
    await handled.written();
    expect(await stored()).to.deep.equal([id]);
    // A fresh instance (a restart) finds it through the reader.
    expect(await new HandledCommands(writer, reader, quietLog).has(id)).to.equal(true);
  });

  it('looks asked for together go to the database as one query, each answered for its own id', async () => {
    const stored = Array.from({ length: 3 }, () => randomUUID());
    await writer('handled_commands').insert(stored.map((id, i) => ({ command_id: id, type: 'ledger.Hold', handled_at: i })));
    const looks: string[] = [];
    reader.on('query', (q: { sql: string }) => looks.push(q.sql));
    const asked = [stored[0]!, randomUUID(), stored[2]!, randomUUID(), stored[1]!];
    expect(await Promise.all(asked.map((id) => handled.has(id)))).to.deep.equal([true, false, true, false, true]);
    expect(looks).to.have.length(1);
    // A later turn asks again: nothing is remembered from the look before.
    await writer('handled_commands').insert({ command_id: asked[1]!, type: 'ledger.Hold', handled_at: 9 });
    expect(await handled.has(asked[1]!)).to.equal(true);
    expect(looks).to.have.length(2);
  });

  it('the look does not wait for the writer: it answers while a long transaction holds it', async () => {
    const id = randomUUID();
    await writer('handled_commands').insert({ command_id: id, type: 'ledger.Hold', handled_at: 1 });
    let release!: () => void;
    const held = writer.transaction(async (trx) => {
      await trx('handled_commands').insert({ command_id: randomUUID(), type: 'ledger.Hold', handled_at: 2 });
      await new Promise<void>((resolve) => (release = resolve));
    });
    await new Promise((r) => setTimeout(r, 50));
    const answered = await Promise.race([handled.has(id), new Promise((r) => setTimeout(() => r('waited'), 2000))]);
    release();
    await held;
    expect(answered).to.equal(true);
  });

  it('collects the ids recorded while a write runs and writes them together', async () => {
    const inserts: string[] = [];
    writer.on('query', (q: { sql: string }) => q.sql.startsWith('insert into `handled_commands`') && inserts.push(q.sql));
    const ids = Array.from({ length: 1000 }, () => randomUUID());
    for (const id of ids) handled.record(id, 'ledger.Hold');
    await handled.written();
    expect((await stored()).sort()).to.deep.equal([...ids].sort());
    // The first id went alone (nothing was being written); the other 999 in statements of 300.
    expect(inserts.length).to.be.at.most(5);
  });

  it('keeps answering from memory while the database refuses the write, and writes once it can', async () => {
    await writer.schema.renameTable('handled_commands', 'handled_commands_away');
    const id = randomUUID();
    handled.record(id, 'ledger.Hold');
    await new Promise((r) => setTimeout(r, 200));
    expect(await handled.has(id)).to.equal(true);
    await writer.schema.renameTable('handled_commands_away', 'handled_commands');
    await handled.written();
    expect(await stored()).to.deep.equal([id]);
  });

  it('the reader refuses writes', async () => {
    let error: unknown;
    await reader('handled_commands').insert({ command_id: randomUUID(), type: 'x', handled_at: 1 }).catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/readonly|query_only|attempt to write/i);
  });
});
