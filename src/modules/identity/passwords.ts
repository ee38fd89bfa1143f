import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { UnavailableError } from '../../kernel/index.js';

/**
 * scrypt with a per-password salt; the parameters travel in the hash (`scrypt$N$r$p$salt$key`),
 * so they can be raised later: a hash made with weaker ones is replaced at the next login.
 * Default N = 2^17, r = 8, p = 1 (OWASP); identity's IDENTITY_SCRYPT_COST sets N.
 */
export interface HashParams {
  N: number;
  r: number;
  p: number;
}

export const paramsOfCost = (cost: number): HashParams => ({ N: 2 ** cost, r: 8, p: 1 });
const KEY_LENGTH = 32;

/**
 * One hash takes 128 · N · r bytes (128 MiB at the default) and a thread of the pool: at most
 * this many run at once, and at most QUEUE wait for their turn. Beyond that a login or a
 * registration is answered 503 at once, so a burst cannot grow memory without limit.
 */
const AT_ONCE = 2;
const QUEUE = 64;
let running = 0;
const waiting: (() => void)[] = [];

async function inTurn<T>(work: () => Promise<T>): Promise<T> {
  if (running >= AT_ONCE) {
    if (waiting.length >= QUEUE) throw new UnavailableError('too many password checks are in progress; retry shortly', 1);
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    running++;
  }
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

function derive(password: string, salt: Buffer, params: HashParams): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return inTurn(
    () =>
      new Promise((resolve, reject) =>
        scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))),
      ),
  );
}

export async function hashPassword(password: string, params: HashParams): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Does the password match? `outdated`: the hash was made with weaker parameters than `current`. */
export async function verifyPassword(password: string, stored: string, current: HashParams): Promise<{ valid: boolean; outdated: boolean }> {
  const [scheme, N, r, p, salt, key] = stored.split('$');
  const used = { N: Number(N), r: Number(r), p: Number(p) };
  if (scheme !== 'scrypt' || !salt || !key || ![used.N, used.r, used.p].every((n) => Number.isSafeInteger(n) && n > 0)) return { valid: false, outdated: false };
  const expected = Buffer.from(key, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), used);
  const valid = actual.length === expected.length && timingSafeEqual(actual, expected);
  return { valid, outdated: used.N < current.N || used.r < current.r || used.p < current.p };
}

/** A hash to compare against when the email is unknown, so both answers take the same time (one per parameters). */
const decoys = new Map<number, Promise<string>>();
export function decoyHash(params: HashParams): Promise<string> {
  let decoy = decoys.get(params.N);
  if (!decoy) decoys.set(params.N, (decoy = hashPassword(randomBytes(16).toString('hex'), params)));
  return decoy;
}
