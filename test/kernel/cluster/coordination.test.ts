import { expect } from 'chai';
import { Coordination } from '../../../src/kernel/host.js';
import { dropSchema } from '../../../src/kernel/event-store/postgres/connection.js';
import { describePostgres, randomSchema } from '../../support/postgres.js';
import { tempDir } from '../../support/tempDir.js';

/** Deployables on stores of their own still share one record of peers and leases (the gateway and their calls find each other there). */
describe('coordination shared by deployables with stores of their own', () => {
  it('on SQLite: every data directory with the same SEAMS_CLUSTER_DIR sees the same peers', async () => {
    const [a, b, shared] = await Promise.all([tempDir(), tempDir(), tempDir()]);
    const one = await Coordination.open({ store: 'sqlite', dataDir: a.path, clusterDir: shared.path });
    const two = await Coordination.open({ store: 'sqlite', dataDir: b.path, clusterDir: shared.path });
    try {
      await one.announce({ processId: 'main', url: 'http://a', modules: ['users'] });
      expect((await two.peers(10_000)).map((p) => p.processId)).to.deep.equal(['main']);
    } finally {
      await one.close();
      await two.close();
      for (const d of [a, b, shared]) await d.cleanup();
    }
  });
});

await describePostgres('coordination on PostgreSQL shared by stores with schema prefixes of their own', (url) => {
  it('with the same SEAMS_CLUSTER_SCHEMA, both see the same peers', async () => {
    const schema = randomSchema();
    const open = (prefix: string) => Coordination.open({ store: 'postgres', dataDir: '.', databaseUrl: url, pgSchemaPrefix: prefix, clusterSchema: schema });
    const one = await open(`${randomSchema()}_`);
    const two = await open(`${randomSchema()}_`);
    try {
      await one.announce({ processId: 'catalog', url: 'http://b', modules: ['catalog'] });
      expect((await two.peers(10_000)).map((p) => p.processId)).to.deep.equal(['catalog']);
    } finally {
      await one.close();
      await two.close();
      await dropSchema(url, schema);
    }
  });
});
