import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import knexFactory from 'knex';
import pino from 'pino';
import { ModuleRuntime, PostgresEventStore, moduleSchema, openModuleDatabase, registryOf } from '../../../src/kernel/host.js';
import { dropSchema } from '../../../src/kernel/event-store/postgres/connection.js';
import { ItemAdded, ItemRenamed, fixtureModules } from '../../support/fixtureModules.js';
import { describePostgres, randomSchema } from '../../support/postgres.js';

await describePostgres('module databases on PostgreSQL', (url) => {
  let prefix = '';
  const schemas = () => [`${prefix}event_store`, ...fixtureModules.map((m) => moduleSchema(m.name, prefix))];

  beforeEach(() => {
    prefix = `${randomSchema('seams_t')}_`;
  });
  afterEach(async () => {
    for (const schema of schemas()) await dropSchema(url, schema);
  });

  it('each module gets its own schema; projections and checkpoints live there', async function () {
    this.timeout(30_000);
    const store = await PostgresEventStore.open({ connectionString: url, schema: `${prefix}event_store`, registry: registryOf(fixtureModules) });
    const runtime = await ModuleRuntime.start({ modules: fixtureModules, store, database: { kind: 'postgres', connectionString: url, schemaPrefix: prefix }, log: pino({ level: 'silent' }) });
    try {
      const itemId = randomUUID();
      const { position } = await store.append(`shop.item-${itemId}`, [
        { type: ItemAdded.type, data: { itemId, title: 'Lamp', priceCents: 10 } },
        { type: ItemRenamed.type, data: { itemId, title: 'Desk lamp' } },
      ]);
      expect(await runtime.context('mirror').waitFor(position, 10_000)).to.equal(true);
      const mirror = runtime.context('mirror');
      expect(await mirror.db(mirror.tables('shop_items').shop_items).where({ item_id: itemId }).first()).to.deep.equal({ item_id: itemId, title: 'Desk lamp' });
      const admin = knexFactory({ client: 'pg', connection: { connectionString: url } });
      try {
        const tables = await admin('information_schema.tables').where({ table_schema: moduleSchema('mirror', prefix) }).pluck('table_name');
        expect(tables).to.include.members(['projections', 'handled_commands', 'shop_items_g1']);
        expect(tables).to.not.include('items_g1'); // shop's table is in shop's schema only
      } finally {
        await admin.destroy();
      }
    } finally {
      await runtime.stop();
      await store.close();
    }
  });

  it('with module roles, a module’s role cannot read another module’s schema', async function () {
    this.timeout(30_000);
    const config = { kind: 'postgres' as const, connectionString: url, schemaPrefix: prefix, moduleRoles: true, rolePasswords: { secret: 'a test secret of at least thirty-two characters' } };
    const shop = await openModuleDatabase('shop', config);
    const mirror = await openModuleDatabase('mirror', config);
    try {
      await shop.schema.createTable('secrets', (t) => t.string('x'));
      await shop('secrets').insert({ x: 'shop only' });
      expect(await shop('secrets').pluck('x')).to.deep.equal(['shop only']);
      const shopSchema = moduleSchema('shop', prefix);
      try {
        await mirror.withSchema(shopSchema).select().from('secrets');
        expect.fail('mirror read shop’s schema');
      } catch (error) {
        expect((error as { code?: string }).code).to.equal('42501'); // insufficient_privilege
        expect((error as Error).message).to.contain(`permission denied for schema ${shopSchema}`);
      }
    } finally {
      await shop.destroy();
      await mirror.destroy();
      const admin = knexFactory({ client: 'pg', connection: { connectionString: url } });
      for (const m of ['shop', 'mirror']) {
        await admin.raw(`DROP SCHEMA IF EXISTS "${moduleSchema(m, prefix)}" CASCADE`);
        await admin.raw(`DROP ROLE IF EXISTS "${moduleSchema(m, prefix)}"`);
      }
      await admin.destroy();
    }
  });
});
