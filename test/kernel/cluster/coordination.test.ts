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

/**
 * Fencing numbers: only a renewal in time keeps a lease's number. Chaos seed 14 (PostgreSQL, 30 s):
 * the member leading communications was killed in a restart storm during an SMTP hand-over and,
 * started again under the same holder id within the lease's time to live, got the same number
 * back; the mail, "handed over under this number without an answer", was never sent again.
 */
async function leaseNumbers(coordination: Coordination): Promise<void> {
  const first = await coordination.take('orders', 'host:1', 60_000);
  expect(first?.epoch, 'a new lease').to.equal(1);
  expect((await coordination.take('orders', 'host:1', 60_000, { renewing: true }))?.epoch, 'renewed in time').to.equal(1);
  expect((await coordination.take('orders', 'host:1', 60_000))?.epoch, 'taken again by a restarted process with the same id').to.equal(2);
  expect(await coordination.take('orders', 'host:2', 60_000), 'another holder, while it is held').to.equal(undefined);
  expect((await coordination.take('orders', 'host:1', 60_000, { renewing: true }))?.epoch, 'the other holder’s try changed nothing').to.equal(2);
}

describe('coordination: lease fencing numbers', () => {
  it('on SQLite: a renewal keeps the number; any other take, a restarted holder’s included, gets the next', async () => {
    const dir = await tempDir();
    const coordination = await Coordination.open({ store: 'sqlite', dataDir: dir.path });
    try {
      await leaseNumbers(coordination);
    } finally {
      await coordination.close();
      await dir.cleanup();
    }
  });
});

await describePostgres('coordination on PostgreSQL: lease fencing numbers', (url) => {
  it('a renewal keeps the number; any other take, a restarted holder’s included, gets the next', async () => {
    const schema = randomSchema();
    const coordination = await Coordination.open({ store: 'postgres', dataDir: '.', databaseUrl: url, clusterSchema: schema });
    try {
      await leaseNumbers(coordination);
    } finally {
      await coordination.close();
      await dropSchema(url, schema);
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
