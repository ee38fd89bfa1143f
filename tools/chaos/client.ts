/**
 * The workload's HTTP client: every write carries an `X-Request-Id` of its own (its events' causation
 * id, so the checker finds them in the log) and, if a POST, the same value as `Idempotency-Key`;
 * a write that gets no answer or a 5xx is sent again with both unchanged, so a retry that acts
 * twice is a duplicate the checker sees. Everything sent is recorded in the history.
 */
import type { History, WriteKind, WriteRecord } from './history.js';

export interface Answer {
  status: number | null;
  body: any;
  position: number | null;
}

export interface WriteOptions {
  token?: string;
  body?: unknown;
  /** Sends of a write that got no answer or a 5xx (POSTs only: they carry an idempotency key). */
  attempts?: number;
}

const TIMEOUT_MS = 10_000;

/** A problem's detail, or the gist of an HTML error page, on one short line. */
const oneLine = (detail: unknown) =>
  String(detail)
    .replace(/^[\s\S]*<pre>([\s\S]*?)<\/pre>[\s\S]*$/, '$1')
    .replace(/<br>|&nbsp;/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);

export class Client {
  readonly history: History = { writes: [], reads: 0, internalErrors: [] };
  private n = 0;

  constructor(
    private readonly base: () => string,
    private readonly prefix: string,
  ) {}

  private async send(method: string, path: string, headers: Record<string, string>, body: unknown): Promise<Answer> {
    try {
      const res = await fetch(this.base() + path, {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = text;
      }
      if (res.status === 500) this.history.internalErrors.push({ method, path, detail: oneLine((parsed as { detail?: unknown })?.detail ?? text) });
      const position = res.headers.get('event-position');
      return { status: res.status, body: parsed, position: position && /^\d+$/.test(position) ? Number(position) : null };
    } catch {
      return { status: null, body: undefined, position: null };
    }
  }

  async write(kind: WriteKind, method: string, path: string, options: WriteOptions = {}): Promise<Answer> {
    const requestId = `${this.prefix}-${++this.n}`;
    const headers: Record<string, string> = { 'x-request-id': requestId };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (method === 'POST') headers['idempotency-key'] = requestId;
    const record: WriteRecord = { kind, requestId, method, path, attempts: 0, status: null, position: null, uncertain: false };
    this.history.writes.push(record);
    const attempts = method === 'POST' ? (options.attempts ?? 4) : 1;
    let answer: Answer = { status: null, body: undefined, position: null };
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 250 * 2 ** i));
      answer = await this.send(method, path, headers, options.body);
      record.attempts++;
      record.status = answer.status;
      record.position = answer.position;
      const unknown = answer.status === null || answer.status >= 500;
      if (unknown) record.uncertain = true;
      // In flight elsewhere (the first send still running in a process we cannot see): ask again.
      const inFlight = answer.status === 409 && record.uncertain && /still being handled/.test(JSON.stringify(answer.body ?? ''));
      if (!unknown && !inFlight) break;
    }
    return answer;
  }

  async read(path: string, token?: string): Promise<Answer> {
    this.history.reads++;
    return this.send('GET', path, token ? { authorization: `Bearer ${token}` } : {}, undefined);
  }
}
