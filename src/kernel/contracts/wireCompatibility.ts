/**
 * Whether a message's new JSON Schema still fits readers and writers of its old one (DESIGN.md,
 * "Scaling out" 4: contracts are wire contracts once a module runs elsewhere). Breaking: a field
 * removed, a field retyped (its JSON types, its enumerated values or its alternatives differ), a
 * required field that was not required before. Constraints (lengths, patterns, bounds) are not
 * compared.
 */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  [keyword: string]: unknown;
}

/** What a value may be, for comparing: its JSON types, enumerated values and alternatives. */
function shapeOf(s: JsonSchema): string {
  return JSON.stringify({
    type: [s.type ?? []].flat().sort(),
    enum: s.enum && s.enum.map((v) => JSON.stringify(v)).sort(),
    const: s.const,
    anyOf: s.anyOf,
    oneOf: s.oneOf,
  });
}

function describe(s: JsonSchema): string {
  if (s.enum) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.anyOf || s.oneOf) return 'a choice of shapes';
  const types = [s.type ?? []].flat();
  return types.length > 0 ? types.join(' or ') : 'anything';
}

/** The breaking changes from `before` to `after`, each naming its field (`lines[].itemId`). */
export function breakingChanges(before: JsonSchema, after: JsonSchema, path = ''): string[] {
  const at = path || '(the whole value)';
  if (shapeOf(before) !== shapeOf(after)) return [`retyped ${at}: ${describe(before)} → ${describe(after)}`];
  const changes: string[] = [];
  const [old, now] = [before.properties ?? {}, after.properties ?? {}];
  const field = (name: string) => (path ? `${path}.${name}` : name);
  for (const [name, schema] of Object.entries(old)) {
    if (!(name in now)) changes.push(`removed field ${field(name)}`);
    else changes.push(...breakingChanges(schema, now[name]!, field(name)));
  }
  for (const name of after.required ?? []) {
    if (!(before.required ?? []).includes(name)) changes.push(`new required field ${field(name)}`);
  }
  if (before.items && after.items) changes.push(...breakingChanges(before.items, after.items, `${path}[]`));
  return changes;
}
