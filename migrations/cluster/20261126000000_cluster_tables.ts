import type { Knex } from 'knex';

/** Which process runs what, when modules are spread over several processes. */
export async function up(knex: Knex): Promise<void> {
  // Live processes and the modules each serves (a heartbeat, not a registration).
  await knex.schema.createTable('cluster_peers', (t) => {
    t.string('process_id', 200).primary();
    t.string('url', 500).notNullable();
    t.text('modules').notNullable();
    t.bigInteger('seen_at').notNullable();
  });
  // One holder per module: the process that runs the module's projections and processes.
  await knex.schema.createTable('cluster_leases', (t) => {
    t.string('module', 100).primary();
    t.string('holder', 200).notNullable();
    t.bigInteger('expires_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('cluster_leases');
  await knex.schema.dropTable('cluster_peers');
}
