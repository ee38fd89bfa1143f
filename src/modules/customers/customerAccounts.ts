import { defineProjection, findCaughtUp, on, type ModuleContext } from '../../kernel/index.js';
import { CreditLimitExceeded, CreditReleased, CreditReserved, CustomerDeleted, CustomerRegistered } from './contracts.js';

/**
 * The customers read model: one row per customer and one per reservation. What is reserved is
 * the sum of the open reservations (not a running counter), so applying an event twice is harmless.
 */
export const customerAccounts = defineProjection({
  name: 'customer_accounts',
  version: 1,
  tables: {
    customer_accounts: (t) => {
      t.string('customer_id').primary();
      t.string('name').notNullable();
      t.string('email').notNullable();
      t.bigInteger('credit_limit_cents').notNullable();
      t.boolean('deleted').notNullable();
      t.integer('revision').notNullable();
    },
    credit_reservations: (t) => {
      t.string('customer_id').notNullable();
      t.string('order_id').notNullable();
      t.bigInteger('amount_cents').notNullable();
      t.boolean('open').notNullable();
      t.primary(['customer_id', 'order_id']);
    },
  },
  handlers: [
    on(CustomerRegistered, async (e, { db, tables }) => {
      const { customerId, name, email, creditLimitCents } = e.data;
      await db(tables.customer_accounts)
        .insert({ customer_id: customerId, name, email, credit_limit_cents: creditLimitCents, deleted: false, revision: e.revision })
        .onConflict('customer_id')
        .ignore();
    }),
    on(CustomerDeleted, async (e, { db, tables }) => {
      await db(tables.customer_accounts).where({ customer_id: e.data.customerId }).update({ deleted: true, revision: e.revision });
    }),
    on(CreditReserved, async (e, { db, tables }) => {
      await db(tables.credit_reservations)
        .insert({ customer_id: e.data.customerId, order_id: e.data.orderId, amount_cents: e.data.amountCents, open: true })
        .onConflict(['customer_id', 'order_id'])
        .ignore();
      await db(tables.customer_accounts).where({ customer_id: e.data.customerId }).update({ revision: e.revision });
    }),
    on(CreditLimitExceeded, async (e, { db, tables }) => {
      await db(tables.customer_accounts).where({ customer_id: e.data.customerId }).update({ revision: e.revision });
    }),
    on(CreditReleased, async (e, { db, tables }) => {
      await db(tables.credit_reservations).where({ customer_id: e.data.customerId, order_id: e.data.orderId }).update({ open: false });
      await db(tables.customer_accounts).where({ customer_id: e.data.customerId }).update({ revision: e.revision });
    }),
  ],
});

export interface CustomerView {
  customerId: string;
  name: string;
  email: string;
  creditLimitCents: number;
  reservedCents: number;
  revision: number;
}

/** A customer that exists and was not deleted; lets the read model catch up once before saying no. */
export async function findCustomer(ctx: ModuleContext, customerId: string): Promise<CustomerView | undefined> {
  const find = async (): Promise<CustomerView | undefined> => {
    const t = ctx.tables('customer_accounts');
    const row = await ctx.db(t.customer_accounts).where({ customer_id: customerId }).first();
    if (!row) return undefined;
    if (row.deleted) return undefined;
    const sum = await ctx.db(t.credit_reservations).where({ customer_id: customerId, open: true }).sum({ reserved: 'amount_cents' }).first();
    return {
      customerId: row.customer_id,
      name: row.name,
      email: row.email,
      creditLimitCents: Number(row.credit_limit_cents),
      reservedCents: Number(sum?.reserved ?? 0),
      revision: Number(row.revision),
    };
  };
  return findCaughtUp(ctx, 'customer_accounts', find);
}
