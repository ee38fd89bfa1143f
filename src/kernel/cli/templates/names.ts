/** The names a generated file uses, all derived from the module's name (and the part's). */
export interface ModuleNames {
  /** The module, lower-kebab-case: `order-notes`. */
  module: string;
  /** Its definition's export, camelCase: `orderNotes`. */
  camel: string;
  /** How a file of the module imports the kernel: `../../kernel/index.js` from source, `@seams/kernel` installed. */
  kernel: string;
  /** How a test imports the kernel's host face (the specs). */
  kernelHost: string;
  /** Who may call the new module's routes: members (a module must issue credentials, as identity does) or anyone. */
  access?: 'member' | 'anyone';
}

export const camelCase = (kebab: string) => kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
export const pascalCase = (name: string) => name.charAt(0).toUpperCase() + camelCase(name).slice(1);
export const snakeCase = (camel: string) => camel.replace(/-/g, '_').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The one aggregate of a new module: its name made singular (`invoices` → `invoice`, `billing` stays). */
export function singular(camel: string): string {
  if (/ies$/.test(camel)) return camel.replace(/ies$/, 'y');
  if (/[^s]s$/.test(camel) && camel.length > 3) return camel.slice(0, -1);
  return camel;
}

/** The kernel as seen from `depth` folders below src/ (a module's root is 2: src/modules/<m>). */
export function kernelPath(installed: boolean, depth: number, face: 'index' | 'host' = 'index'): string {
  if (installed) return face === 'index' ? '@seams/kernel' : '@seams/kernel/host';
  return `${'../'.repeat(depth)}kernel/${face}.js`;
}

/** JavaScript's reserved words: a module or part named so would be an export nobody can write. */
export const RESERVED = new Set(
  'await break case catch class const continue debugger default delete do else enum export extends false finally for function if implements import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield'.split(' '),
);

/** A fixed UUID per example value, so a generated spec reads the same every time. */
export const EXAMPLE_UUID = '00000000-0000-4000-8000-000000000001';
