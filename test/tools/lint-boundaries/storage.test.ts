import { expect } from 'chai';
import type { Knex } from 'knex';
import { z } from 'zod';
import { defineEvent, defineModule, defineProjection, on, type ModuleDefinition } from '../../../src/kernel/host.js';
import { formatFinding } from '../../../tools/lint-boundaries/finding.js';
import { lintBoundaries } from '../../../tools/lint-boundaries/lint.js';
import { fixtureTree, lines } from '../../support/fixtureTree.js';

const Joined = defineEvent('users.Joined', 1, z.object({ id: z.string() }));
const projection = (name: string, table: string) =>
  defineProjection({ name, version: 1, tables: { [table]: (t: Knex.CreateTableBuilder) => t.string('id') }, handlers: [on(Joined, () => undefined)] });
/** users owns `accounts` (migration) and `people` (projection); catalog owns `notes` and `items`; both have a `notes`. */
const users = defineModule({ name: 'users', publicEvents: [Joined], projections: [projection('directory', 'people')] });
const catalog = defineModule({ name: 'catalog', projections: [projection('items', 'items')] });

const migration = (...body: string[]) => lines("import type { Knex } from 'knex';", 'export async function up(knex: Knex) {', ...body, '}');
const usersFiles = {
  'migrations/users/20260101000000_accounts.ts': migration("  await knex.schema.createTable('accounts', (t) => t.string('id'));", "  await knex.raw('create table if not exists notes (id text)');"),
  'migrations/catalog/20260101000000_notes.ts': migration("  await knex.schema.createTable('notes', (t) => t.string('id'));"),
};

async function lint(modules: ModuleDefinition[], files: Record<string, string>): Promise<string[]> {
  const tree = await fixtureTree({ ...usersFiles, ...files });
  try {
    return (await lintBoundaries({ root: tree.root, modules, published: new Map(), checks: ['imports', 'ownership', 'storage'] })).map(formatFinding);
  } finally {
    await tree.cleanup();
  }
}

const REPLICA = 'keep a replica of what you need, fed by its public events, or ask it a public query';

describe("lint:boundaries — a module's database is its own", function () {
  this.timeout(20_000);

  it('passes code and migrations that name only their own tables', async () => {
    const findings = await lint([users, catalog], {
      'src/modules/catalog/reads.ts': lines(
        "export const events = ['users.Joined', 'users.account-1', 'notes', 'user_replicas'];",
        "export const mine = (db: any) => db('notes').join('items_g2', 'a', 'b');",
        "export const raw = (db: any) => db.raw('select * from notes join items_g1 on 1 = 1');",
      ),
      'migrations/catalog/20260102000000_more.ts': migration("  await knex.schema.createTable('user_replicas', (t) => t.string('user_id'));"),
    });
    expect(findings).to.deep.equal([]);
  });

  it("flags a migration that leaves its module's database", async () => {
    const findings = await lint([users, catalog], {
      'migrations/catalog/20260102000000_bad.ts': migration(
        "  await knex.schema.withSchema('users').createTable('x', () => undefined);",
        "  await knex.raw(\"ATTACH DATABASE 'elsewhere.sqlite' AS o\");",
        "  await knex.schema.createTable('users.copies', () => undefined);",
        "  await knex.schema.createTable('users_cache', () => undefined);",
        "  await knex.schema.alterTable('notes', (t) => { t.string('owner').references('id').inTable('accounts'); });",
      ),
    });
    const file = 'migrations/catalog/20260102000000_bad.ts';
    expect(findings).to.deep.equal([
      `${file}:3 foreign-schema — module catalog reaches module users's schema with withSchema('users'); ${REPLICA}`,
      `${file}:4 foreign-database — module catalog attaches another database ('ATTACH DATABASE 'elsewhere.sqlite' AS o'); a module's code and migrations touch only its own database: ${REPLICA}`,
      `${file}:5 migration-own-tables — a migration of catalog names table 'users.copies', qualified with 'users.'; a module's migrations name unqualified tables of its own database only`,
      `${file}:6 migration-own-tables — a migration of catalog names table 'users_cache', which carries module users's name as its prefix; name catalog's tables so that none starts with another module's name`,
      `${file}:7 foreign-table — module catalog names table 'accounts' of module users; there are no cross-module reads, joins or foreign keys: ${REPLICA}`,
    ]);
  });

  it("flags module code that names another module's database file, schema or tables", async () => {
    const findings = await lint([users, catalog], {
      'src/modules/catalog/reads.ts': lines(
        "import { join } from 'node:path';",
        "export const file = join('data', 'modules', 'users.sqlite');",
        "export const dir = 'data/modules/users';",
        "export const sql = 'select * from people_g1 where id = ?';",
        "export const q = (db: any) => db('accounts').where({ id: 1 });",
        'export const s = (db: any) => db.raw(`select name from users.accounts where id = ${1}`);',
        "export const t = (db: any) => db.withSchema('users').from('x');",
      ),
    });
    const file = 'src/modules/catalog/reads.ts';
    expect(findings).to.deep.equal([
      `${file}:2 foreign-database — module catalog names module users's database ('users.sqlite'); a module opens only its own database (ctx.db): ${REPLICA}`,
      `${file}:3 foreign-database — module catalog names module users's database ('data/modules/users'); a module opens only its own database (ctx.db): ${REPLICA}`,
      `${file}:4 foreign-table — module catalog names 'people_g1', a table of module users's projection directory; ${REPLICA}`,
      `${file}:5 foreign-table — module catalog names table 'accounts' of module users; there are no cross-module reads, joins or foreign keys: ${REPLICA}`,
      `${file}:6 foreign-table — module catalog names 'users.accounts', a table in module users's schema; ${REPLICA}`,
      `${file}:7 foreign-schema — module catalog reaches module users's schema with withSchema('users'); ${REPLICA}`,
    ]);
  });

  it("gives a table to the module with the longest matching name: user-profiles owns user_profiles_*, not user", async () => {
    const findings = await lint([defineModule({ name: 'user' }), defineModule({ name: 'user-profiles' })], {
      'migrations/user-profiles/20260101000000_x.ts': migration("  await knex.schema.createTable('user_profiles_x', () => undefined);", "  await knex.schema.createTable('user_x', () => undefined);"),
    });
    expect(findings).to.deep.equal([
      "migrations/user-profiles/20260101000000_x.ts:4 migration-own-tables — a migration of user-profiles names table 'user_x', which carries module user's name as its prefix; name user-profiles's tables so that none starts with another module's name",
    ]);
  });
});
