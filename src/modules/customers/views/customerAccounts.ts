import { z } from 'zod';
import { defineProjection, defineRow, findCaughtUp, on, type ModuleContext } from '../../../kernel/index.js';
import { CreditLimitExceeded, CreditReleased, CreditReserved, CustomerDeleted, CustomerRegistered } from '../contracts.js';

export const accountRow = defineRow(
  z.object({
    customerId: z.uuid(),
    /** The member who opened it (null: before accounts had owners; operators only). */
    ownerId: z.uuid().nullable(),
    name: z.string(),
    email: z.string(),
    creditLimitCents: z.number().int(),
    deleted: z.boolean(),
    /** The stream revision of its last event: the ETag. */
    revision: z.number().int(),
  }),
  { primary: ['customerId'], indexes: [['ownerId']] },
);

export const reservationRow = defineRow(
  z.object({ customerId: z.uuid(), orderId: z.uuid(), amountCents: z.number().int(), open: z.boolean() }),
  { primary: ['customerId', 'orderId'] },
);

/** What clients read of a customer (GET /customers/:id). */
export const customerView = accountRow.schema.pick({ customerId: true, ownerId: true, name: true, email: true, creditLimitCents: true }).extend({ reservedCents: z.number().int() });
export type CustomerView = z.output<typeof customerView>;

/**
 * The customers read model: one row per customer and one per reservation. What is reserved is
 * the sum of the open reservations (not a running counter), so applying an event twice is harmless.
 */
export const customerAccounts = defineProjection({
  name: 'customer_accounts',
  // 2: the owner of each account.
  version: 2,
  tables: { customer_accounts: accountRow.table, credit_reservations: reservationRow.table },
  handlers: [
    on(CustomerRegistered, async (e, { db, tables }) => {
      const row = accountRow.toDb({ ...e.data, deleted: false, revision: e.revision });
      await db(tables.customer_accounts).insert(row).onConflict('customer_id').ignore();
    }),
    on(CustomerDeleted, async (e, { db, tables }) => {
      await db(tables.customer_accounts).where({ customer_id: e.data.customerId }).update(accountRow.toDb({ deleted: true, revision: e.revision }));
    }),
    on(CreditReserved, async (e, { db, tables }) => {
      await db(tables.credit_reservations).insert(reservationRow.toDb({ ...e.data, open: true })).onConflict(['customer_id', 'order_id']).ignore();
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

/** A customer that exists and was not deleted, with its revision; lets the read model catch up once before saying no. */
export async function findCustomer(ctx: ModuleContext, customerId: string): Promise<{ view: CustomerView; revision: number } | undefined> {
  const find = async () => {
    const t = ctx.tables(customerAccounts);
    const found = await ctx.db(t.customer_accounts).where({ customer_id: customerId }).first();
    if (!found) return undefined;
    const { deleted, revision, ...account } = accountRow.fromDb(found);
    if (deleted) return undefined;
    const sum = await ctx.db(t.credit_reservations).where({ customer_id: customerId, open: true }).sum({ reserved: 'amount_cents' }).first();
    return { view: { ...account, reservedCents: Number(sum?.reserved ?? 0) }, revision };
  };
  return findCaughtUp(ctx, customerAccounts, find);
}
