import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { ConflictError, UnprocessableError, ValidationError } from '../errors.js';
import type { HttpResult } from '../types/http.js';
import { durableWrite } from '../sqlite/durable.js';

/**
 * `Idempotency-Key` on POST (API.md, "General rules"): a repeat by the same caller with the same
 * key and the same request answers the first answer again (status, body, headers), with no
 * second effect; the same key with another request is a 422; while the first is in flight, a 409.
 * Kept in the module's own database (table `idempotency_keys`) for 24 hours, so it survives
 * restarts. Only answers that succeeded (2xx) are kept: a refused request had no effect, and a
 * repeat is decided again.
 */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
const KEPT_MS = 24 * 60 * 60_000;
/** An in-flight row older than this belongs to an attempt that died with its process: a repeat takes it over. */
const ABANDONED_AFTER_MS = 60_000;
const PURGE_EVERY_MS = 60_000;
const KEY = /^[\x21-\x7e]{1,255}$/;

/** The header's value, checked: printable ASCII, 1–255 characters. Undefined when absent. */
export function idempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !KEY.test(header)) {
    const message = 'must be 1 to 255 printable ASCII characters, given once';
    throw new ValidationError(`header ${IDEMPOTENCY_HEADER} ${message}`, [{ path: IDEMPOTENCY_HEADER, message }]);
  }
  return header;
}

/** What a request is, for "the same request": its path and query, and its body with keys in a stable order. */
export function requestHash(pathAndQuery: string, body: unknown): string {
  return createHash('sha256').update(`${pathAndQuery}\n${stableJson(body)}`).digest('hex');
}

function stableJson(value: unknown): string {
  if (value === undefined) return '';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}

/** Kept answers are sealed (AES-256-GCM, a key derived from the deployment's secret): a login's token is no plain text at rest. */
class Sealer {
  private readonly key: Buffer;

  constructor(secret: Uint8Array) {
    this.key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'seams idempotency answers', 32));
  }

  seal(text: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return [iv, cipher.getAuthTag(), sealed].map((b) => b.toString('base64url')).join('.');
  }

  /** The text, or undefined when it was sealed with another secret. */
  open(sealed: string): string | undefined {
    try {
      const [iv, tag, data] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv!);
      decipher.setAuthTag(tag!);
      return Buffer.concat([decipher.update(data!), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

interface Row {
  request_hash: string;
  attempt: string;
  state: 'in-flight' | 'done';
  answer: string | null;
  created_at: unknown;
}

/** One module's kept idempotency keys. */
export class IdempotencyKeys {
  private readonly sealer: Sealer;
  private purgedAt = 0;

  constructor(
    private readonly db: Knex,
    secret: Uint8Array,
  ) {
    this.sealer = new Sealer(secret);
  }

  /**
   * Runs `handle` once per (caller, key): the first request runs it and its 2xx answer is kept;
   * a repeat of the same request gets that answer (`replayed`); another request under the key
   * is a 422; a repeat while the first runs, a 409.
   */
  async run(caller: string, key: string, hash: string, handle: () => Promise<HttpResult>): Promise<{ result: HttpResult; replayed: boolean }> {
    const now = Date.now();
    await this.purge(now);
    const attempt = randomUUID();
    const where = { caller, key };
    await this.db('idempotency_keys').insert({ ...where, request_hash: hash, attempt, state: 'in-flight', created_at: now }).onConflict(['caller', 'key']).ignore();
    const row = (await this.db('idempotency_keys').where(where).first()) as Row | undefined;
    if (row && row.attempt !== attempt) {
      const kept = this.kept(row, now);
      if (kept) {
        if (row.request_hash !== hash) throw new UnprocessableError(`${IDEMPOTENCY_HEADER} ${key} was used for another request; use a new key`);
        if (kept.answer) return { result: kept.answer, replayed: true };
        throw new ConflictError(`the request with ${IDEMPOTENCY_HEADER} ${key} is still being handled; repeat it shortly`);
      }
      // Expired, abandoned or unreadable: this attempt takes the key over, if no other did first.
      const taken = await this.db('idempotency_keys').where({ ...where, attempt: row.attempt }).update({ request_hash: hash, attempt, state: 'in-flight', answer: null, created_at: now });
      if (taken !== 1) throw new ConflictError(`the request with ${IDEMPOTENCY_HEADER} ${key} is still being handled; repeat it shortly`);
    }
    let result: HttpResult;
    try {
      result = await handle();
    } catch (error) {
      await this.db('idempotency_keys').where({ ...where, attempt }).delete();
      throw error;
    }
    if (result.status >= 200 && result.status < 300) {
      // The one record in a module's database that the log cannot give back: it must be on disk
      // before the answer goes out, or a repeat after a power cut would act a second time.
      await durableWrite(this.db, 'UPDATE idempotency_keys SET state = ?, answer = ? WHERE caller = ? AND "key" = ? AND attempt = ?', ['done', this.sealer.seal(JSON.stringify(result)), caller, key, attempt]);
    } else {
      await this.db('idempotency_keys').where({ ...where, attempt }).delete();
    }
    return { result, replayed: false };
  }

  /**
   * What a row still holds for a repeat: the answer (done), no answer for a live in-flight
   * attempt, or undefined when the row is expired, abandoned by a dead attempt, or sealed with
   * another secret.
   */
  private kept(row: Row, now: number): { answer?: HttpResult } | undefined {
    const age = now - Number(row.created_at);
    if (age > KEPT_MS) return undefined;
    if (row.state === 'in-flight') return age > ABANDONED_AFTER_MS ? undefined : {};
    const text = row.answer ? this.sealer.open(row.answer) : undefined;
    return text === undefined ? undefined : { answer: JSON.parse(text) as HttpResult };
  }

  private async purge(now: number): Promise<void> {
    if (now - this.purgedAt < PURGE_EVERY_MS) return;
    this.purgedAt = now;
    await this.db('idempotency_keys').where('created_at', '<', now - KEPT_MS).delete();
  }
}
