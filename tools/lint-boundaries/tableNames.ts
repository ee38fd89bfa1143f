import type { StringSite } from './sourceText.js';
import { snake } from './finding.js';

/** A table as written: `accounts`, or `users.accounts` (schema- or attached-database-qualified). */
export interface TableRef {
  name: string;
  qualifier?: string;
}

/** Knex calls whose first argument is a table (`ctx.db('x')`, `.from('x')`, `.references('x.id')`, …). */
const TABLE_CALLS = new Set([
  'db', 'knex', 'trx', 'tx', 'from', 'into', 'table', 'join', 'innerJoin', 'leftJoin', 'leftOuterJoin', 'rightJoin',
  'rightOuterJoin', 'fullOuterJoin', 'crossJoin', 'hasTable', 'hasColumn', 'alterTable', 'dropTable', 'dropTableIfExists',
  'createTable', 'createTableIfNotExists', 'createTableLike', 'renameTable', 'createView', 'createViewOrReplace',
  'createMaterializedView', 'dropView', 'dropViewIfExists', 'dropMaterializedView', 'refreshMaterializedView', 'inTable', 'references',
]);
/** Calls whose second argument is a table too. */
const SECOND_TABLE = new Set(['createTableLike', 'renameTable']);
/** Calls (and SQL) that bring a table into being; what a module's migrations create is its own. */
const CREATE_CALLS = new Set(['createTable', 'createTableIfNotExists', 'createTableLike', 'renameTable', 'createView', 'createViewOrReplace', 'createMaterializedView']);

const SQL_START = /^\s*(select|insert|update|delete|create|alter|drop|with|attach|detach|pragma|replace)\b/i;
const IDENT = '[`"\\[]?([A-Za-z_][\\w-]*)[`"\\]]?';
const SQL_TABLE = new RegExp(`\\b(from|join|into|update|table|view|references|exists)\\s+${IDENT}(?:\\.${IDENT})?`, 'gi');
const SQL_CREATE = new RegExp(`\\bcreate\\s+(?:temp(?:orary)?\\s+)?(?:table|view)\\s+(?:if\\s+not\\s+exists\\s+)?${IDENT}(?:\\.${IDENT})?`, 'gi');

export const looksLikeSql = (site: StringSite) => SQL_START.test(site.text) || /raw$/i.test(site.callee ?? '');

const ref = (a: string, b?: string): TableRef => (b === undefined ? { name: a } : { name: b, qualifier: a });

/** `users.accounts as a` → users.accounts; `.references('users.id')` names table users (column id). */
function parseArg(text: string, callee: string): TableRef | undefined {
  const parts = text.trim().split(/\s+as\s+/i)[0]!.replace(/[`"[\]]/g, '').split('.');
  if (callee === 'references') {
    if (parts.length < 2) return undefined; // a bare column: the table comes from inTable
    parts.pop();
  }
  if (parts.length > 2 || parts.some((p) => !/^[A-Za-z_][\w-]*$/.test(p))) return undefined;
  return ref(parts[0]!, parts[1]);
}

/** The tables a string names: as a knex call's table argument, or after FROM/JOIN/INTO/… in SQL. */
export function tablesNamed(site: StringSite): TableRef[] {
  const refs: TableRef[] = [];
  const callee = site.callee ?? '';
  if (TABLE_CALLS.has(callee) && (site.argIndex === 0 || (site.argIndex === 1 && SECOND_TABLE.has(callee)))) {
    const parsed = parseArg(site.text, callee);
    if (parsed) refs.push(parsed);
  } else if (looksLikeSql(site)) {
    for (const m of site.text.matchAll(SQL_TABLE)) refs.push(ref(m[2]!, m[3]));
  }
  return refs;
}

/** The tables a migration's string creates. */
export function tablesCreated(site: StringSite): TableRef[] {
  if (CREATE_CALLS.has(site.callee ?? '')) return tablesNamed(site);
  if (!looksLikeSql(site)) return [];
  return [...site.text.matchAll(SQL_CREATE)].map((m) => ref(m[1]!, m[2]));
}

/**
 * The module whose name a table carries as its prefix: `users` or `users_…` (snake_case), the
 * longest such module name winning so that `user_profiles_x` belongs to user-profiles, not user.
 */
export function prefixOwner(table: string, modules: readonly string[]): string | undefined {
  const t = snake(table).toLowerCase();
  return modules
    .filter((m) => t === snake(m) || t.startsWith(`${snake(m)}_`))
    .sort((a, b) => b.length - a.length)[0];
}

/** Which module a qualifier names (`users` or its snake_case form), if any. */
export const moduleNamed = (qualifier: string, modules: readonly string[]) => modules.find((m) => qualifier === m || qualifier === snake(m));
