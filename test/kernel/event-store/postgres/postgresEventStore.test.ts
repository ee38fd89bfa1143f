import { PostgresEventStore } from '../../../../src/kernel/host.js';
import { dropSchema } from '../../../../src/kernel/event-store/postgres/connection.js';
import { describePostgres, randomSchema } from '../../../support/postgres.js';
import { eventStoreContract } from '../../../support/eventStoreContract.js';

await describePostgres('PostgreSQL event store', (url) => {
  let schema = '';

  eventStoreContract('postgres', () => ({
    // Positions encode transaction ids: strictly increasing, not gap-free.
    densePositions: false,
    async reset() {
      // The previous test's store is closed by now: drop its schema, start a new one.
      if (schema) await dropSchema(url, schema);
      schema = randomSchema();
    },
    open: (registry) => PostgresEventStore.open({ connectionString: url, schema, registry }),
  }));

  after(async () => {
    if (schema) await dropSchema(url, schema);
  });
});
