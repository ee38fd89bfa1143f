/**
 * Shared helpers of the HTTP tests: problem+json assertions, data-driven tables of bad inputs
 * (each must be a 4xx problem and append nothing), and text that only looks hostile.
 */
import { expect } from 'chai';
import { modules as applicationModules } from '../../src/application.js';
import type { EventHandler, ModuleDefinition, ProjectionDefinition, RecordedEvent } from '../../src/kernel/host.js';
import type { Reply, TestApp } from './httpHarness.js';

/** Text that looks like SQL, markup or templates but is ordinary input (no leading/trailing blanks: some fields trim). */
export const HOSTILE_TEXTS: readonly string[] = [
  "'; DROP TABLE items; --",
  "Robert'); DROP TABLE users;--",
  '" OR "1"="1',
  '<script>alert(1)</script>',
  '<img src=x onerror="alert(document.cookie)">',
  '${process.exit(1)} {{7*7}} #{7*7}',
  '../../../etc/passwd',
  '%00%27%3Cscript%3E',
  'Zoë Ñandú 日本語 עברית العربية',
  '👩🏽‍💻🙂 e\u0301 zero\u200bwidth',
  'line one\nline two\ttabbed \\n not a newline',
  'null',
  '[object Object]',
];

/**
 * Text no store can hold as given: U+0000 (PostgreSQL refuses it) and unpaired UTF-16 surrogates
 * (they would come back as U+FFFD). Refused with 400 in every text field (API.md, "General
 * rules"); until the contract said so, 'nul\u0000byte' was in HOSTILE_TEXTS as accepted text.
 */
export const UNSTORABLE_TEXTS: readonly string[] = ['nul\u0000byte', 'a lone \ud800 high surrogate', 'a lone \udfff low surrogate', 'reversed \udc00\ud800 pair', '\u0000'];

/** Asserts a problem+json answer with the given status, no stack trace, and (for validation errors) the failing field named in `errors`. */
export function expectProblem(reply: Reply, status: number, field?: string): void {
  expect(reply.status, `status of ${reply.text}`).to.equal(status);
  expect(reply.headers.get('content-type'), 'content-type').to.match(/^application\/problem\+json/);
  const body = reply.body as Record<string, unknown>;
  expect(body, reply.text).to.be.an('object');
  expect(body.status).to.equal(status);
  expect(body.type).to.be.a('string').and.match(/\S/);
  expect(body.title).to.be.a('string').and.match(/\S/);
  expect(body.detail).to.be.a('string').and.match(/\S/);
  expectNoStackTrace(reply);
  if (field !== undefined) {
    expect(body.errors, `errors in ${reply.text}`).to.be.an('array').that.is.not.empty;
    const paths = (body.errors as { path: string; message: string }[]).map((e) => e.path);
    expect(paths, `errors in ${reply.text}`).to.include(field);
    for (const e of body.errors as { path: string; message: string }[]) expect(e.message).to.be.a('string').and.match(/\S/);
  }
}

export function expectNoStackTrace(reply: Reply): void {
  expect(reply.text).not.to.match(/\n\s+at /);
  expect(reply.text).not.to.match(/\(?\/[\w./-]+\.(?:ts|js|mjs|cjs):\d+:\d+\)?/);
  expect(reply.text).not.to.match(/node_modules/);
  if (reply.body && typeof reply.body === 'object') expect(reply.body).not.to.have.property('stack');
}

/** The JSON of a response that must be a success. */
export function expectStatus(reply: Reply, status: number): void {
  expect(reply.status, `status of ${reply.text}`).to.equal(status);
}

/** `Event-Position` of a write: a whole number, or `<store>:<n>` when modules are split over stores (asserted present). */
export function eventPosition(reply: Reply): string {
  const header = reply.headers.get('event-position');
  expect(header, 'Event-Position header').to.match(/^(?:[a-z0-9][a-z0-9+_-]*:)?\d+$/);
  return header!;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id no one uses. */
export const unknownId = () => crypto.randomUUID();

/** Reads the whole log straight from the store (not through the redacting admin endpoint). */
export const wholeLog = (app: TestApp): Promise<RecordedEvent[]> => app.log();

/** Polls until `check` returns a value (mocha's timeout bounds the wait). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, intervalMs = 25): Promise<T> {
  for (;;) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** One bad request and the answer it must get. Functions are resolved against the test's fixture once it exists. */
export interface BadInput<F> {
  name: string;
  method: string;
  path: string | ((fx: F) => string);
  /** How the path reads in the test's title when it is a function (`/users/:userId`). */
  label?: string;
  /** A JSON body (sent as application/json). */
  body?: unknown | ((fx: F) => unknown);
  /** A raw body; give its content type in `headers`. */
  raw?: string;
  headers?: Record<string, string>;
  /** An authenticated endpoint: the fixture's token is sent unless `token` says otherwise. */
  auth?: boolean;
  /** The bearer token to send instead (null: none). */
  token?: string | null | ((fx: F) => string);
  status: number;
  /** The field the problem's `errors` must name. */
  field?: string;
}

export interface Endpoint<F> {
  method: string;
  path: string | ((fx: F) => string);
  /** How the path reads in test titles when it is a function. */
  label?: string;
  auth: boolean;
  /** A valid body, for the cases derived from it. */
  validBody?: (fx: F) => Record<string, unknown>;
}

/**
 * The cases every endpoint shares: a malformed `Min-Position`; and for endpoints with a body,
 * malformed JSON, a non-JSON content type, a 2 MB body, and JSON that is not an object.
 */
export function commonBadInputs<F>(endpoint: Endpoint<F>): BadInput<F>[] {
  const at = { method: endpoint.method, path: endpoint.path, label: endpoint.label, auth: endpoint.auth };
  const withBody = (fx: F) => endpoint.validBody?.(fx);
  const cases: BadInput<F>[] = [
    { ...at, name: 'Min-Position: abc', headers: { 'min-position': 'abc' }, body: endpoint.validBody && withBody, status: 400, field: 'Min-Position' },
    { ...at, name: 'Min-Position: -1', headers: { 'min-position': '-1' }, body: endpoint.validBody && withBody, status: 400, field: 'Min-Position' },
    { ...at, name: 'Min-Position: 1.5', headers: { 'min-position': '1.5' }, body: endpoint.validBody && withBody, status: 400, field: 'Min-Position' },
  ];
  if (endpoint.validBody) {
    const json = { 'content-type': 'application/json' };
    cases.push(
      { ...at, name: 'malformed JSON', raw: '{"title": "unterminated', headers: json, status: 400 },
      { ...at, name: 'JSON with a trailing comma', raw: '{"a": 1,}', headers: json, status: 400 },
      { ...at, name: 'a JSON array instead of an object', raw: '[]', headers: json, status: 400, field: '(root)' },
      { ...at, name: 'JSON null', raw: 'null', headers: json, status: 400, field: '(root)' },
      { ...at, name: 'a JSON string', raw: '"hello"', headers: json, status: 400, field: '(root)' },
      { ...at, name: 'an empty JSON object', body: {}, status: 400 },
      { ...at, name: 'an empty body declared as JSON', raw: '', headers: json, status: 400 },
      { ...at, name: 'text/plain body', raw: '{"a":1}', headers: { 'content-type': 'text/plain' }, status: 415 },
      { ...at, name: 'form-encoded body', raw: 'title=x&priceCents=1', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415 },
      { ...at, name: 'XML body', raw: '<title>x</title>', headers: { 'content-type': 'application/xml' }, status: 415 },
      { ...at, name: 'a 2 MB body', raw: JSON.stringify({ text: 'x'.repeat(2 * 1024 * 1024) }), headers: json, status: 413 },
    );
  }
  if (endpoint.method.toUpperCase() === 'POST') {
    cases.push(
      { ...at, name: 'Idempotency-Key: 256 characters', headers: { 'idempotency-key': 'k'.repeat(256) }, body: endpoint.validBody && withBody, status: 400, field: 'Idempotency-Key' },
      { ...at, name: 'Idempotency-Key: with a space', headers: { 'idempotency-key': 'two words' }, body: endpoint.validBody && withBody, status: 400, field: 'Idempotency-Key' },
    );
  }
  if (endpoint.auth) {
    cases.push(
      { ...at, name: 'no Authorization header', body: endpoint.validBody && withBody, token: null, status: 401 },
      { ...at, name: 'a garbage bearer token', body: endpoint.validBody && withBody, token: 'not.a.jwt', status: 401 },
      { ...at, name: 'a Basic Authorization header', body: endpoint.validBody && withBody, token: null, headers: { authorization: 'Basic dXNlcjpwYXNz' }, status: 401 },
    );
  }
  return cases;
}

/** Cases replacing one field of a valid body with bad values. */
export function fieldCases<F>(endpoint: Endpoint<F>, field: string, values: [label: string, value: unknown][], status = 400): BadInput<F>[] {
  return values.map(([label, value]) => ({
    method: endpoint.method,
    path: endpoint.path,
    label: endpoint.label,
    auth: endpoint.auth,
    name: `${field}: ${label}`,
    body: (fx: F) => ({ ...endpoint.validBody!(fx), [field]: value }),
    status,
    field,
  }));
}

/** Cases leaving out one required field each. */
export function missingFieldCases<F>(endpoint: Endpoint<F>, fields: string[]): BadInput<F>[] {
  return fields.map((field) => ({
    method: endpoint.method,
    path: endpoint.path,
    label: endpoint.label,
    auth: endpoint.auth,
    name: `${field} missing`,
    body: (fx: F) => {
      const { [field]: _left, ...rest } = endpoint.validBody!(fx);
      return rest;
    },
    status: 400,
    field,
  }));
}

/**
 * Registers one `it` per case: each answer is a 4xx problem+json with no stack trace, and the
 * log's head position is the same before and after (nothing was written).
 */
export function badInputTable<F extends { app: TestApp; token?: string }>(cases: readonly BadInput<F>[], fixture: () => F): void {
  for (const c of cases) {
    const method = c.method.toUpperCase();
    it(`${method} ${c.label ?? (typeof c.path === 'string' ? c.path : '(path)')} — ${c.name} → ${c.status}`, async () => {
      const fx = fixture();
      const path = typeof c.path === 'function' ? c.path(fx) : c.path;
      const body = typeof c.body === 'function' ? (c.body as (fx: F) => unknown)(fx) : c.body;
      const token = c.token === undefined ? (c.auth ? fx.token : undefined) : typeof c.token === 'function' ? c.token(fx) : (c.token ?? undefined);
      const before = await fx.app.headPosition();
      const reply = await fx.app.request(method, path, { body, raw: c.raw, token, headers: c.headers });
      expectProblem(reply, c.status, c.field);
      expect(reply.status).to.be.within(400, 499);
      expect(await fx.app.headPosition(), 'head position').to.equal(before);
    });
  }
}

/** The application's modules with one of them changed (to make it fail or hang in a test). */
export function withModule(name: string, change: (module: ModuleDefinition) => ModuleDefinition): ModuleDefinition[] {
  expect(applicationModules.map((m) => m.name)).to.include(name);
  return applicationModules.map((m) => (m.name === name ? change(m) : m));
}

/**
 * A module with one projection changed so that `before` runs ahead of every apply, whether the
 * projection has handlers or a batch handler: a `before` that throws is a failure the runner sees.
 */
export function wrapProjection(
  module: ModuleDefinition,
  projection: string,
  before: (events: readonly RecordedEvent[]) => void | Promise<void>,
  onFailure: ProjectionDefinition['onFailure'] = 'stop',
): ModuleDefinition {
  expect(module.projections.map((p) => p.name)).to.include(projection);
  // Stops by default: the tests that break a projection on purpose are about a stopped one (parking has its own).
  const wrap = (p: ProjectionDefinition): ProjectionDefinition => ({
    ...p,
    onFailure,
    handlers: p.handlers.map(
      (h): EventHandler => ({
        ...h,
        handle: async (event, tx) => {
          await before([event]);
          await h.handle(event, tx);
        },
      }),
    ),
    ...(p.applyBatch
      ? {
          applyBatch: async (events: RecordedEvent<any>[], tx: Parameters<NonNullable<ProjectionDefinition['applyBatch']>>[1]) => {
            await before(events);
            await p.applyBatch!(events, tx);
          },
        }
      : {}),
  });
  return { ...module, projections: module.projections.map((p) => (p.name === projection ? wrap(p) : p)) };
}

/** A module with one command handler changed so that `before` runs first: a `before` that throws is a delivery that fails. */
export function wrapCommand(module: ModuleDefinition, type: string, before: () => void | Promise<void>): ModuleDefinition {
  expect(module.commands.map((h) => h.command.type)).to.include(type);
  return {
    ...module,
    commands: module.commands.map((h) =>
      h.command.type === type
        ? {
            ...h,
            handle: async (ctx: Parameters<typeof h.handle>[0], data: unknown, meta: Parameters<typeof h.handle>[2]) => {
              await before();
              await h.handle(ctx, data, meta);
            },
          }
        : h,
    ),
  };
}
