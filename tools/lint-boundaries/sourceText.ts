import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

/** A string written in a source file: a literal or a template's text (`${…}` parts become `?`). */
export interface StringSite {
  text: string;
  line: number;
  /** When the string is an argument of a call: the called name (`db` in `ctx.db('x')`) and the argument's index. */
  callee?: string;
  argIndex?: number;
}

export interface ParsedFile {
  /** Relative to the checked root, forward slashes. */
  file: string;
  strings: StringSite[];
  /** Module specifier as written → the first line that imports or re-exports it. */
  imports: Map<string, number>;
}

const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;

/** Source files under `dir` (recursively), sorted so that findings come out in a stable order. */
export function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return SOURCE.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const calleeName = (call: ts.CallExpression): string | undefined => {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
};

const isSpecifier = (node: ts.Node): boolean => {
  const parent = node.parent;
  if (ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent)) return parent.moduleSpecifier === node;
  if (ts.isExternalModuleReference(parent)) return true;
  if (ts.isLiteralTypeNode(parent) && ts.isImportTypeNode(parent.parent)) return true;
  return ts.isCallExpression(parent) && parent.expression.kind === ts.SyntaxKind.ImportKeyword;
};

/** Reads a file's strings and imports with their lines; import specifiers are not strings the storage rules look at. */
export function parseFile(root: string, path: string): ParsedFile {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const strings: StringSite[] = [];
  const imports = new Map<string, number>();
  const visit = (node: ts.Node): void => {
    let text: string | undefined;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) text = node.text;
    else if (ts.isTemplateExpression(node)) text = node.head.text + node.templateSpans.map((s) => `?${s.literal.text}`).join('');
    if (text !== undefined && ts.isStringLiteral(node) && isSpecifier(node)) {
      if (!imports.has(text)) imports.set(text, lineOf(node));
    } else if (text !== undefined) {
      const site: StringSite = { text, line: lineOf(node) };
      if (ts.isCallExpression(node.parent) && node.parent.arguments.includes(node as ts.Expression)) {
        site.callee = calleeName(node.parent);
        site.argIndex = node.parent.arguments.indexOf(node as ts.Expression);
      }
      strings.push(site);
    }
    // A template's spans hold expressions that may contain strings of their own.
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { file: relative(root, path).split(sep).join('/'), strings, imports };
}
