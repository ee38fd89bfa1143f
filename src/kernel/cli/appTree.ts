import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError, type CliIo } from './io.js';

/**
 * The application a generator writes into: its root (src/modules, src/application.ts,
 * migrations/, test/), the files to create and the files to change, all checked before any is
 * written, so a refusal leaves the tree as it was. `--dry-run` prints them instead.
 */
export class AppTree {
  private readonly created = new Map<string, string>();
  private readonly changed = new Map<string, string>();

  constructor(readonly root: string) {
    if (!existsSync(join(root, 'src', 'modules'))) throw new UsageError(`${root} holds no src/modules/: run seams new in the application's root`);
  }

  /** True when the kernel is this application's own source (src/kernel), false when installed (@seams/kernel). */
  get kernelInstalled(): boolean {
    return !existsSync(join(this.root, 'src', 'kernel', 'index.ts'));
  }

  exists(path: string): boolean {
    return this.created.has(path) || existsSync(join(this.root, path));
  }

  read(path: string): string {
    const pending = this.changed.get(path) ?? this.created.get(path);
    if (pending !== undefined) return pending;
    if (!existsSync(join(this.root, path))) throw new UsageError(`${path} does not exist`);
    return readFileSync(join(this.root, path), 'utf8');
  }

  create(path: string, text: string): void {
    if (this.exists(path)) throw new UsageError(`${path} exists already`);
    this.created.set(path, text);
  }

  change(path: string, text: string): void {
    this.changed.set(path, text);
  }

  /** Writes everything, or with `dryRun` prints what it would write. */
  commit(io: CliIo, dryRun: boolean): void {
    const lines = [...[...this.created.keys()].map((p) => `create ${p}`), ...[...this.changed.keys()].map((p) => `change ${p}`)];
    if (dryRun) {
      io.out(`would write (dry run, nothing written):\n${lines.map((l) => `  ${l}`).join('\n')}`);
      return;
    }
    for (const [path, text] of [...this.created, ...this.changed]) {
      mkdirSync(dirname(join(this.root, path)), { recursive: true });
      writeFileSync(join(this.root, path), text);
    }
    io.out(lines.join('\n'));
  }
}

/** Adds an import after the last import of a file. */
export function addImport(text: string, line: string): string {
  const imports = [...text.matchAll(/^import [^;]+;$/gm)];
  const last = imports[imports.length - 1];
  if (!last) return `${line}\n${text}`;
  const at = last.index + last[0].length;
  return `${text.slice(0, at)}\n${line}${text.slice(at)}`;
}

/**
 * Adds `name` to the array of `key` in the first object literal call of a module's definition
 * (`projections: [a, b]` → `projections: [a, b, name]`), or adds the key before its closing `});`.
 */
export function addToList(text: string, key: string, name: string, file: string): string {
  const list = new RegExp(`^(\\s*${key}: \\[)([^\\]]*)\\]`, 'm').exec(text);
  if (list) {
    const items = list[2]!.trim();
    return text.replace(list[0], `${list[1]}${items ? `${items}, ` : ''}${name}]`);
  }
  if (new RegExp(`^\\s*${key}[,:]`, 'm').test(text)) throw new UsageError(`${file}: ${key} is not a literal list; add ${name} to it by hand`);
  const end = text.lastIndexOf('});');
  if (end < 0) throw new UsageError(`${file}: no defineModule({...}) to add ${name} to`);
  return `${text.slice(0, end)}  ${key}: [${name}],\n${text.slice(end)}`;
}
