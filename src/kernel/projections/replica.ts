import type { Knex } from 'knex';
import type { z } from 'zod';
import type { EventContract, EventData } from '../types/contracts.js';
import type { RecordedEvent } from '../types/eventStore.js';
import type { ProjectionDefinition, TableReader } from '../types/projection.js';
import { defineProjection } from './defineProjection.js';
import { defineRow, type RowShape } from './rows.js';

/**
 * How an event lands in a replica: the row it makes, and what happens when the key is there
 * already — keep the row (`ignore`), overwrite it (`merge`), or overwrite only some fields.
 */
export interface ReplicaCopy<Row> {
  contract: EventContract;
  row(event: RecordedEvent<any>): Row;
  onConflict: 'ignore' | 'merge' | { merge: string[] };
}

export function copy<C extends EventContract, Row>(contract: C, row: (event: RecordedEvent<EventData<C>>) => Row, onConflict: ReplicaCopy<Row>['onConflict'] = 'merge'): ReplicaCopy<Row> {
  return { contract, row, onConflict };
}

export interface ReplicaDefinition<S extends z.ZodObject, T extends string> extends ProjectionDefinition<T> {
  readonly row: RowShape<S>;
  /** The row of one key, or undefined. */
  find(reader: TableReader, key: string): Promise<z.output<S> | undefined>;
  /** The rows of these keys that the replica holds. */
  findMany(reader: TableReader, keys: readonly string[]): Promise<z.output<S>[]>;
  /** The physical table, for a join in the module's own reads. */
  table(reader: Pick<TableReader, 'tables'>): string;
}

/** Rows per INSERT: well under SQLite's bound-variable limit for replicas of a few columns. */
const CHUNK = 100;

/**
 * A module's own copy of another module's data (a foreign key across databases being
 * impossible), fed by that module's public events: one table keyed by one field, each event
 * copied to a row. Events of one kind that follow each other are written as one multi-row
 * statement, so a replica keeps up with a burst of writes elsewhere.
 */
export function replica<S extends z.ZodObject, const T extends string>(spec: {
  name: string;
  version?: number;
  /** The table's name (one table per replica). */
  table: T;
  row: S;
  key: keyof z.output<S> & string;
  from: ReplicaCopy<z.output<S>>[];
}): ReplicaDefinition<S, T> {
  const row = defineRow(spec.row, { primary: [spec.key] });
  const keyColumn = row.column(spec.key);
  const sources = new Map(spec.from.map((c) => [c.contract.type, c]));
  for (const c of spec.from) {
    const unknown = typeof c.onConflict === 'object' ? c.onConflict.merge.filter((f) => !(f in spec.row.shape)) : [];
    if (unknown.length > 0) throw new TypeError(`replica ${spec.name}: ${c.contract.type} merges ${unknown.join(', ')}, which its row does not have`);
  }
  const write = async (db: Knex.Transaction, table: string, source: ReplicaCopy<z.output<S>>, rows: Record<string, unknown>[]) => {
    for (let i = 0; i < rows.length; i += CHUNK) {
      const insert = db(table).insert(rows.slice(i, i + CHUNK)).onConflict(keyColumn);
      if (source.onConflict === 'ignore') await insert.ignore();
      else if (source.onConflict === 'merge') await insert.merge();
      else await insert.merge(source.onConflict.merge.map((f) => row.column(f as keyof z.output<S> & string)));
    }
  };
  const definition = defineProjection({
    name: spec.name,
    version: spec.version ?? 1,
    tables: { [spec.table]: row.table } as Record<T, (t: Knex.CreateTableBuilder) => void>,
    events: spec.from.map((c) => c.contract),
    async applyBatch(events, { db, tables }) {
      const table = tables[spec.table];
      // Runs of one source with distinct keys keep the log's order when written as one statement.
      let run: { source: ReplicaCopy<z.output<S>>; rows: Record<string, unknown>[]; keys: Set<unknown> } | undefined;
      for (const event of events) {
        const source = sources.get(event.type)!;
        const next = row.toDb(source.row(event));
        if (run && (run.source !== source || run.keys.has(next[keyColumn]))) {
          await write(db, table, run.source, run.rows);
          run = undefined;
        }
        run ??= { source, rows: [], keys: new Set() };
        run.rows.push(next);
        run.keys.add(next[keyColumn]);
      }
      if (run) await write(db, table, run.source, run.rows);
    },
  });
  const table = (reader: Pick<TableReader, 'tables'>) => reader.tables(definition)[spec.table];
  return {
    ...definition,
    row,
    table,
    async find(reader, key) {
      const found = await reader.db(table(reader)).where(keyColumn, key).first();
      return found ? row.fromDb(found) : undefined;
    },
    async findMany(reader, keys) {
      if (keys.length === 0) return [];
      const found = (await reader.db(table(reader)).whereIn(keyColumn, [...keys])) as Record<string, unknown>[];
      return found.map((r) => row.fromDb(r));
    },
  };
}
