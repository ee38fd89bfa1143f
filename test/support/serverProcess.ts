/**
 * The real server as a child process (`node --import tsx src/main.ts`), for tests and benchmarks
 * that must kill it, restart it on the same data directory, or keep its CPU apart from theirs.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_ENV } from './testEnv.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The environment without the parent's seams settings: a child is configured by its caller alone. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SEAMS_') && name !== 'PORT' && name !== 'LOG_LEVEL'));
}

export interface ServerProcessOptions {
  dataDir: string;
  /** A free port is picked when not given. */
  port?: number;
  logLevel?: string;
  /** Extra node flags before `--import tsx` (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  env?: Record<string, string>;
  /** What to run (default `src/main.ts`), e.g. `['src/cli.ts', 'serve', '--gateway']`. */
  command?: string[];
  /** How long to wait for `/health/live` (default 30 s). */
  startTimeoutMs?: number;
  /** Where to run it (default this repository); elsewhere, `command` is JavaScript run as it is, without tsx. */
  cwd?: string;
  /** A file that keeps everything the process writes, appended to (the in-memory output keeps only the last 100 KB). */
  logFile?: string;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  base: string;
  /** What the process wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<Exit>;
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/** A port nobody listens on right now (the kernel's choice for port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts the server and resolves once `GET /health/live` answers 200; rejects (with its output) if it exits first. */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const env = cleanEnv();
  const tsx = options.cwd === undefined ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...tsx, ...(options.command ?? ['src/main.ts'])], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...env, ...TEST_ENV, PORT: String(port), SEAMS_DATA_DIR: options.dataDir, LOG_LEVEL: options.logLevel ?? 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > 100_000) output = output.slice(-50_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  if (options.logFile) {
    const log = createWriteStream(options.logFile, { flags: 'a' });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    child.once('close', () => log.end());
  }
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  for (;;) {
    if (hasExited) throw new Error(`the server exited before it was ready (${JSON.stringify(await exited)}):\n${output}`);
    try {
      // Bounded: a port reused by a stopped process would accept and never answer.
      const res = await fetch(`${base}/health/live`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not answer /health/live within ${options.startTimeoutMs ?? 30_000} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return {
    child,
    port,
    base,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (!hasExited) child.kill(signal);
      return exited;
    },
  };
}

/** Runs the `seams` CLI on a data directory (with `env`, e.g. a PostgreSQL store's settings); resolves with its exit code and output. */
export function runCli(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--data-dir', dataDir, ...args], { cwd: REPO_ROOT, env: { ...cleanEnv(), ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export interface JsonReply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A JSON request with fetch; network errors reject (the caller decides what they mean). */
export async function requestJson<T = any>(base: string, method: string, path: string, init: { body?: unknown; token?: string; headers?: Record<string, string> } = {}): Promise<JsonReply<T>> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body: body as T, text };
}

/** Registers a user and logs in. */
export async function signUp(base: string, displayName: string): Promise<{ userId: string; token: string; sessionId: string; position: number }> {
  const email = `${randomUUID()}@example.com`;
  const password = 'correct horse battery staple';
  const registered = await requestJson(base, 'POST', '/identity/registrations', { body: { email, password, displayName } });
  if (registered.status !== 201) throw new Error(`registration failed: ${registered.status} ${registered.text}`);
  const session = await requestJson(base, 'POST', '/identity/sessions', { body: { email, password } });
  if (session.status !== 201) throw new Error(`login failed: ${session.status} ${session.text}`);
  return { userId: registered.body.userId, token: session.body.token, sessionId: session.body.sessionId, position: Number(session.headers.get('event-position')) };
}
