import pino from 'pino';
import { startServer, type RecordedEvent, type RunningServer, type SeamsConfig } from '../../src/kernel/host.js';
import { modules as applicationModules } from '../../src/application.js';
import { splitUnderTest, startSplit } from './splitHarness.js';
import { TEST_ENV } from './testEnv.js';
import { tempDir } from './tempDir.js';

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface Member {
  userId: string;
  token: string;
  sessionId: string;
  email: string;
  password: string;
  position: string;
}

/** What the HTTP suites see of the application: its HTTP surface, and (for white-box checks) its log and runtime. */
export interface TestApp {
  base: string;
  /** The data directory (split: the main store's, where the shared token secret is). */
  dir: string;
  /**
   * The server. Split over stores, a stand-in that answers what the module suites read behind
   * the HTTP surface — `store.readStream`, the runtime's contexts, commands and process
   * instances — from the deployable that holds it, and refuses the rest.
   */
  server: RunningServer;
  request<T = any>(method: string, path: string, init?: { body?: unknown; raw?: string; token?: string; headers?: Record<string, string> }): Promise<Reply<T>>;
  signUp(displayName?: string, email?: string, password?: string): Promise<Member>;
  /** A member made an operator (with the admin credential), logged in again so that the token carries the role. */
  operator(displayName?: string): Promise<Member>;
  /** A service token with these scopes, issued with the admin credential. */
  serviceToken(scopes: string[], options?: { name?: string; expiresInDays?: number }): Promise<{ tokenId: string; token: string; position: string }>;
  /** What opens admin routes: the admin token when one is configured; otherwise undefined (a local client without a bearer is the admin). */
  adminToken: string | undefined;
  /** The log's head: a number that moves whenever anything is appended (split: anywhere, once nothing is in flight between stores). */
  headPosition(): Promise<number>;
  /** The head of the store a position token names, as a token, counting only what that store wrote itself. */
  headOf(token: string): Promise<string>;
  /** The event a position token names. */
  eventAt(token: string): Promise<RecordedEvent | undefined>;
  /** Every event written (each once, in the store that wrote it). */
  log(): Promise<RecordedEvent[]>;
  /** The data directory of the deployable that runs `module`. */
  dataDirOf(module: string): string;
  stop(): Promise<void>;
}


/**
 * The real application on a random port, on SQLite in a temporary directory. With `dataDir` it
 * starts on an existing directory instead (a restart), which `stop` then leaves in place. With
 * SEAMS_TEST_SPLIT=<modules> it is the application split over stores (splitHarness.ts).
 */
export async function startApp(options: { config?: Partial<SeamsConfig>; modules?: typeof applicationModules; dataDir?: string } = {}): Promise<TestApp> {
  const modules = options.modules ?? applicationModules;
  if (splitUnderTest().length > 0) {
    const split = await startSplit(modules, splitUnderTest(), options);
    return { ...split, server: split.server as unknown as RunningServer, dir: split.dir.path, ...client(split.base, split.adminToken) };
  }
  const dir = options.dataDir ? { path: options.dataDir, cleanup: async () => {} } : await tempDir('seams-http-');
  const config: SeamsConfig = { port: 0, dataDir: dir.path, store: 'sqlite', logLevel: 'silent', ...options.config, env: { ...TEST_ENV, ...options.config?.env } };
  const server: RunningServer = await startServer(modules, config, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
  const base = `http://127.0.0.1:${server.port}`;
  return {
    base,
    dir: dir.path,
    server,
    ...client(base, config.adminToken),
    headPosition: () => server.store.headPosition(),
    headOf: async () => String(await server.store.headPosition()),
    async eventAt(token) {
      const [event] = await server.store.readAll({ after: Number(token) - 1, maxCount: 1 });
      return event?.position === Number(token) ? event : undefined;
    },
    async log() {
      const events: RecordedEvent[] = [];
      for (;;) {
        const batch = await server.store.readAll({ after: events.at(-1)?.position ?? 0, maxCount: 500 });
        if (batch.length === 0) return events;
        events.push(...batch);
      }
    },
    dataDirOf: () => dir.path,
    async stop() {
      await server.close();
      await dir.cleanup();
    },
  };
}

/** Requests to the application's base URL, as anyone, a member, an operator or a service token. */
function client(base: string, adminToken: string | undefined): Pick<TestApp, 'request' | 'signUp' | 'operator' | 'serviceToken' | 'adminToken'> {

  async function request<T = any>(method: string, path: string, init: { body?: unknown; raw?: string; token?: string; headers?: Record<string, string> } = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: string | undefined = init.raw;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(base + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  /** Registers a user and logs in; returns ids and a token. */
  async function signUp(displayName = 'Ada', email = `${crypto.randomUUID()}@example.com`, password = 'correct horse battery') {
    const registered = await request('POST', '/identity/registrations', { body: { email, password, displayName } });
    if (registered.status !== 201) throw new Error(`registration failed: ${registered.status} ${registered.text}`);
    const session = await request('POST', '/identity/sessions', { body: { email, password } });
    if (session.status !== 201) throw new Error(`login failed: ${session.status} ${session.text}`);
    return { userId: registered.body.userId as string, token: session.body.token as string, sessionId: session.body.sessionId as string, email, password, position: session.headers.get('event-position')! };
  }

  /** A member made an operator (with the admin credential), logged in again so that the token carries the role. */
  async function operator(displayName = 'Operator') {
    const member = await signUp(displayName);
    const granted = await request('POST', '/identity/operators', { body: { userId: member.userId }, token: adminToken });
    if (granted.status !== 201) throw new Error(`granting the operator role failed: ${granted.status} ${granted.text}`);
    const session = await request('POST', '/identity/sessions', { body: { email: member.email, password: member.password } });
    if (session.status !== 201) throw new Error(`login failed: ${session.status} ${session.text}`);
    return { ...member, token: session.body.token as string, sessionId: session.body.sessionId as string, position: session.headers.get('event-position')! };
  }

  /** A service token with these scopes, issued with the admin credential. */
  async function serviceToken(scopes: string[], options: { name?: string; expiresInDays?: number } = {}) {
    const issued = await request('POST', '/identity/service-tokens', { body: { name: options.name ?? 'end system', scopes, ...(options.expiresInDays ? { expiresInDays: options.expiresInDays } : {}) }, token: adminToken });
    if (issued.status !== 201) throw new Error(`issuing a service token failed: ${issued.status} ${issued.text}`);
    return { tokenId: issued.body.tokenId as string, token: issued.body.token as string, position: issued.headers.get('event-position')! };
  }

  return { request, signUp, operator, serviceToken, adminToken };
}
