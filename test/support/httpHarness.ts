import pino from 'pino';
import { startServer, type RunningServer, type SeamsConfig } from '../../src/kernel/host.js';
import { modules as applicationModules } from '../../src/application.js';
import { tempDir } from './tempDir.js';

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/**
 * The modules' settings in tests: cheap password hashing (the default, N = 2^17, costs ~0.5 s a
 * hash) and address limits no test reaches by accident (every test client is on loopback).
 * Tests of those settings give their own.
 */
export const TEST_ENV: Readonly<Record<string, string>> = {
  IDENTITY_SCRYPT_COST: '10',
  IDENTITY_LOGINS_PER_ADDRESS_PER_MINUTE: '1000000',
  IDENTITY_REGISTRATIONS_PER_ADDRESS_PER_HOUR: '1000000',
};

/**
 * The real application on a random port, on SQLite in a temporary directory. With `dataDir` it
 * starts on an existing directory instead (a restart), which `stop` then leaves in place.
 */
export async function startApp(options: { config?: Partial<SeamsConfig>; modules?: typeof applicationModules; dataDir?: string } = {}) {
  const dir = options.dataDir ? { path: options.dataDir, cleanup: async () => {} } : await tempDir('seams-http-');
  const config: SeamsConfig = { port: 0, dataDir: dir.path, store: 'sqlite', logLevel: 'silent', ...options.config, env: { ...TEST_ENV, ...options.config?.env } };
  const server: RunningServer = await startServer(options.modules ?? applicationModules, config, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
  const base = `http://127.0.0.1:${server.port}`;

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
    return { userId: registered.body.userId as string, token: session.body.token as string, sessionId: session.body.sessionId as string, email, password, position: Number(session.headers.get('event-position')) };
  }

  /** What opens admin routes: the admin token when one is configured; otherwise nothing (a local client without a bearer is the admin). */
  const adminToken = config.adminToken;

  /** A member made an operator (with the admin credential), logged in again so that the token carries the role. */
  async function operator(displayName = 'Operator') {
    const member = await signUp(displayName);
    const granted = await request('POST', '/identity/operators', { body: { userId: member.userId }, token: adminToken });
    if (granted.status !== 201) throw new Error(`granting the operator role failed: ${granted.status} ${granted.text}`);
    const session = await request('POST', '/identity/sessions', { body: { email: member.email, password: member.password } });
    if (session.status !== 201) throw new Error(`login failed: ${session.status} ${session.text}`);
    return { ...member, token: session.body.token as string, sessionId: session.body.sessionId as string, position: Number(session.headers.get('event-position')) };
  }

  /** A service token with these scopes, issued with the admin credential. */
  async function serviceToken(scopes: string[], options: { name?: string; expiresInDays?: number } = {}) {
    const issued = await request('POST', '/identity/service-tokens', { body: { name: options.name ?? 'end system', scopes, ...(options.expiresInDays ? { expiresInDays: options.expiresInDays } : {}) }, token: adminToken });
    if (issued.status !== 201) throw new Error(`issuing a service token failed: ${issued.status} ${issued.text}`);
    return { tokenId: issued.body.tokenId as string, token: issued.body.token as string, position: Number(issued.headers.get('event-position')) };
  }

  return {
    base,
    dir: dir.path,
    server,
    request,
    signUp,
    operator,
    serviceToken,
    adminToken,
    headPosition: () => server.store.headPosition(),
    async stop() {
      await server.close();
      await dir.cleanup();
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof startApp>>;
