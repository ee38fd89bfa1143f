import type { Knex } from 'knex';
import type { z } from 'zod';

/**
 * A read model's row, written once as a zod object: its table's columns (snake_case of the
 * field names) and the typed value a read returns come from it, so a read shape is never
 * written twice and a route's response schema can reuse it.
 */
export interface RowShape<S extends z.ZodObject = z.ZodObject> {
  readonly schema: S;
  /** Builds the table: one column per field (strings as text, whole numbers as bigint), primary key and indexes. */
  table(t: Knex.CreateTableBuilder): void;
  /** The column of a field. */
  column(field: keyof z.output<S> & string): string;
  /** A value as a row to insert. */
  toDb(value: Partial<z.output<S>>): Record<string, unknown>;
  /** A row as read from either database, typed (bigints and 0/1 booleans as numbers and booleans). */
  fromDb(row: Record<string, unknown>): z.output<S>;
}

type Kind = 'text' | 'integer' | 'number' | 'boolean' | 'json';

interface ZodNode {
  _zod: { def: { type: string; innerType?: ZodNode } };
  isInt?: boolean;
}

/** The column kind of a field and whether it may be null. */
function describe(field: ZodNode): { kind: Kind; nullable: boolean; optional: boolean } {
  let node = field;
  let nullable = false;
  let optional = false;
  while (['optional', 'nullable', 'default', 'readonly'].includes(node._zod.def.type)) {
    if (node._zod.def.type === 'nullable') nullable = true;
    if (node._zod.def.type === 'optional') optional = true;
    node = node._zod.def.innerType!;
  }
  const type = node._zod.def.type;
  const kind: Kind = type === 'number' ? (node.isInt ? 'integer' : 'number') : type === 'boolean' ? 'boolean' : ['string', 'enum', 'literal'].includes(type) ? 'text' : 'json';
  return { kind, nullable, optional };
}

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export function defineRow<S extends z.ZodObject>(schema: S, keys: { primary: (keyof z.output<S> & string)[]; indexes?: (keyof z.output<S> & string)[][] }): RowShape<S> {
  const fields = Object.entries(schema.shape as Record<string, ZodNode>).map(([name, node]) => ({ name, column: snake(name), ...describe(node) }));
  const byName = new Map(fields.map((f) => [f.name, f]));
  return {
    schema,
    table(t) {
      for (const f of fields) {
        const column = f.kind === 'integer' ? t.bigInteger(f.column) : f.kind === 'number' ? t.double(f.column) : f.kind === 'boolean' ? t.boolean(f.column) : t.text(f.column);
        if (f.nullable || f.optional) column.nullable();
        else column.notNullable();
      }
      t.primary(keys.primary.map(snake));
      for (const index of keys.indexes ?? []) t.index(index.map(snake));
    },
    column: (field) => byName.get(field)!.column,
    toDb(value) {
      const row: Record<string, unknown> = {};
      for (const [name, v] of Object.entries(value)) {
        const f = byName.get(name);
        if (f && v !== undefined) row[f.column] = f.kind === 'json' ? JSON.stringify(v) : v;
      }
      return row;
    },
    fromDb(row) {
      const value: Record<string, unknown> = {};
      for (const f of fields) {
        const v = row[f.column];
        if (v === null || v === undefined) {
          // An optional field is left out; a nullable one reads as null.
          if (f.nullable) value[f.name] = null;
          continue;
        }
        value[f.name] = f.kind === 'integer' || f.kind === 'number' ? Number(v) : f.kind === 'boolean' ? Boolean(v) : f.kind === 'json' ? JSON.parse(String(v)) : v;
      }
      return value as z.output<S>;
    },
  };
}
