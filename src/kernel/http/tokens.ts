import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { UnauthorizedError } from '../errors.js';
import { privateDir } from '../privateFiles.js';
import type { TokenService } from '../types/http.js';

const ROLES = z.array(z.string().max(50)).max(20);
const memberClaims = z.object({ typ: z.literal('member'), sub: z.string(), sid: z.string(), roles: ROLES, rv: z.number().int().min(-1), exp: z.number() });
const serviceClaims = z.object({ typ: z.literal('service'), jti: z.string(), scp: ROLES, exp: z.number() });
const claims = z.discriminatedUnion('typ', [memberClaims, serviceClaims]);

/** Signs and verifies bearer tokens (TokenService) with one secret: any module verifies them on its own. */
export function tokenService(secret: Uint8Array): TokenService {
  const sign = (payload: Record<string, unknown>, expiresAt: Date) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(Math.floor(expiresAt.getTime() / 1000)).sign(secret);
  return {
    issueMember: ({ userId, sessionId, roles, rolesRevision }, expiresAt) => sign({ typ: 'member', sub: userId, sid: sessionId, roles, rv: rolesRevision }, expiresAt),
    issueService: ({ tokenId, scopes }, expiresAt) => sign({ typ: 'service', jti: tokenId, scp: scopes }, expiresAt),
    async verify(token) {
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] }));
      } catch {
        throw new UnauthorizedError('the bearer token is invalid or expired');
      }
      const parsed = claims.safeParse(payload);
      if (!parsed.success) throw new UnauthorizedError('the bearer token is invalid or expired');
      const c = parsed.data;
      const expiresAt = new Date(c.exp * 1000);
      return c.typ === 'member'
        ? { kind: 'member', userId: c.sub, sessionId: c.sid, roles: c.roles, rolesRevision: c.rv, expiresAt }
        : { kind: 'service', tokenId: c.jti, scopes: c.scp, expiresAt };
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
    privateDir(dataDir);
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  return new TextEncoder().encode(readFileSync(file, 'utf8').trim());
}
