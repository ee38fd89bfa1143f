import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jwtVerify, SignJWT } from 'jose';
import { UnauthorizedError } from '../errors.js';
import type { TokenService } from '../types/http.js';

/** Signs and verifies bearer tokens (TokenService) with one secret: any module verifies them on its own. */
export function tokenService(secret: Uint8Array): TokenService {
  return {
    async issue({ userId, sessionId }, expiresAt) {
      return new SignJWT({ sid: sessionId })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(userId)
        .setIssuedAt()
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(secret);
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
        if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.exp !== 'number') {
          throw new Error('claims missing');
        }
        return { userId: payload.sub, sessionId: payload.sid, expiresAt: new Date(payload.exp * 1000) };
      } catch {
        throw new UnauthorizedError('the bearer token is invalid or expired');
      }
    },
  };
}

/**
 * The signing secret: `SEAMS_TOKEN_SECRET` when set, else a random one generated on first start
 * into the data directory, readable by its owner only.
 */
export function loadTokenSecret(dataDir: string, fromEnv = process.env.SEAMS_TOKEN_SECRET): Uint8Array {
  if (fromEnv) {
    if (fromEnv.length < 32) throw new Error('SEAMS_TOKEN_SECRET must be at least 32 characters');
    return new TextEncoder().encode(fromEnv);
  }
  const file = join(dataDir, 'token-secret');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  return new TextEncoder().encode(readFileSync(file, 'utf8').trim());
}
