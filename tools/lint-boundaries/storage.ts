import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ModuleDefinition } from '../../src/kernel/host.js';
import type { Finding } from './finding.js';
import { parseFile, sourceFiles, type ParsedFile, type StringSite } from './sourceText.js';
import { looksLikeSql, moduleNamed, prefixOwner, tablesCreated, tablesNamed, type TableRef } from './tableNames.js';

/**
 * Rule 5 of DESIGN.md as text checks over each module's code (src/modules/<m>/) and migrations
 * (migrations/<m>/): nothing there may name another module's database file, schema or tables,
 * and a module's migrations create only unqualified tables that carry no other module's prefix.
 */
export function lintStorage(root: string, modules: readonly ModuleDefinition[]): Finding[] {
  const names = moduleNames(root, modules);
  const files = new Map(names.map((n) => [n, { code: parseAll(root, join('src', 'modules', n)), migrations: parseAll(root, join('migrations', n)) }]));
  const tables = new Map(names.map((n) => [n, ownTables(n, modules, files.get(n)!.migrations)]));
  const findings: Finding[] = [];
  for (const m of names) {
    const others = names.filter((n) => n !== m);
    const own = tables.get(m)!;
    const { code, migrations } = files.get(m)!;
    for (const [file, migration] of [...code.map((f) => [f, false] as const), ...migrations.map((f) => [f, true] as const)]) {
      for (const site of file.strings) {
        const add = (rule: string, advice: string) => findings.push({ file: file.file, line: site.line, rule, advice });
        checkDatabase(m, others, site, add);
        checkTables(m, others, own, tables, site, migration, add);
      }
    }
  }
  return dedupe(findings);
}

type Add = (rule: string, advice: string) => void;
type Tables = { logical: Set<string>; projections: Map<string, string> };

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const quote = (text: string) => `'${text.length > 60 ? `${text.slice(0, 57)}...` : text}'`;
const REPLICA = 'keep a replica of what you need, fed by its public events, or ask it a public query';

function checkDatabase(m: string, others: string[], site: StringSite, add: Add): void {
  const other = others.find((o) => new RegExp(`(^|[^\\w-])${escape(o)}\\.sqlite\\b|modules[\\\\/]${escape(o)}($|[\\\\/.])`).test(site.text));
  const opener = ['openModuleDatabase', 'moduleDatabaseFile', 'migrateModuleDatabase'].includes(site.callee ?? '') && others.includes(site.text);
  if (other || opener) {
    add('foreign-database', `module ${m} names module ${other ?? site.text}'s database (${quote(site.text)}); a module opens only its own database (ctx.db): ${REPLICA}`);
  } else if (looksLikeSql(site) && /^\s*attach\b/i.test(site.text)) {
    add('foreign-database', `module ${m} attaches another database (${quote(site.text)}); a module's code and migrations touch only its own database: ${REPLICA}`);
  }
  if (site.callee === 'withSchema' && site.argIndex === 0 && site.text !== m) {
    const owner = moduleNamed(site.text, others);
    add('foreign-schema', owner
      ? `module ${m} reaches module ${owner}'s schema with withSchema(${quote(site.text)}); ${REPLICA}`
      : `module ${m} leaves its own schema with withSchema(${quote(site.text)}); drop withSchema: a module's handle already points at its own database`);
  }
}

function checkTables(m: string, others: string[], own: Tables, tables: Map<string, Tables>, site: StringSite, migration: boolean, add: Add): void {
  // A physical projection table (`<table>_g<generation>`) is distinctive enough to look for in any string.
  for (const o of others) {
    for (const [table, projection] of tables.get(o)!.projections) {
      const physical = new RegExp(`\\b${escape(table)}_g\\d+\\b`).exec(site.text);
      if (physical && !own.logical.has(table)) {
        add('foreign-table', `module ${m} names ${quote(physical[0])}, a table of module ${o}'s projection ${projection}; ${REPLICA}`);
      }
    }
  }
  for (const t of tablesNamed(site)) {
    // In migrations any qualified name is wrong (migration-own-tables); in code, one naming another module's schema.
    if (migration) checkMigrationTable(m, others, t, add);
    const schemaOwner = t.qualifier === undefined ? undefined : moduleNamed(t.qualifier, others);
    const tableOwner = t.qualifier === undefined && !own.logical.has(t.name) ? others.find((o) => tables.get(o)!.logical.has(t.name)) : undefined;
    if (schemaOwner && !migration) {
      add('foreign-table', `module ${m} names ${quote(`${t.qualifier}.${t.name}`)}, a table in module ${schemaOwner}'s schema; ${REPLICA}`);
    } else if (tableOwner) {
      add('foreign-table', `module ${m} names table ${quote(t.name)} of module ${tableOwner}; there are no cross-module reads, joins or foreign keys: ${REPLICA}`);
    }
  }
}

function checkMigrationTable(m: string, others: string[], t: TableRef, add: Add): void {
  if (t.qualifier) {
    add('migration-own-tables', `a migration of ${m} names table ${quote(`${t.qualifier}.${t.name}`)}, qualified with '${t.qualifier}.'; a module's migrations name unqualified tables of its own database only`);
  }
  const owner = prefixOwner(t.name, [m, ...others]);
  if (owner && owner !== m) {
    add('migration-own-tables', `a migration of ${m} names table ${quote(t.name)}, which carries module ${owner}'s name as its prefix; name ${m}'s tables so that none starts with another module's name`);
  }
}

/** A module's own table names: what its migrations create and its projections' logical tables. */
function ownTables(m: string, modules: readonly ModuleDefinition[], migrations: ParsedFile[]): Tables {
  const logical = new Set(migrations.flatMap((f) => f.strings.flatMap((s) => tablesCreated(s).map((t) => t.name))));
  const projections = new Map<string, string>();
  for (const p of modules.find((d) => d.name === m)?.projections ?? []) {
    for (const table of Object.keys(p.tables)) projections.set(table, p.name);
  }
  for (const table of projections.keys()) logical.add(table);
  return { logical, projections };
}

/** Defined modules and module folders not yet wired into the application: both are checked. */
function moduleNames(root: string, modules: readonly ModuleDefinition[]): string[] {
  const dir = join(root, 'src', 'modules');
  const folders = existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name) : [];
  return [...new Set([...modules.map((m) => m.name), ...folders])].sort();
}

const parseAll = (root: string, dir: string) => sourceFiles(join(root, dir)).map((f) => parseFile(root, f));

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.file}:${f.line}:${f.rule}:${f.advice}`;
    return !seen.has(key) && Boolean(seen.add(key));
  });
}
