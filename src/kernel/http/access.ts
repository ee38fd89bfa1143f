import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ForbiddenError, UnauthorizedError, UnavailableError } from '../errors.js';
import type { Access, Caller, Credential, Grant, TokenService } from '../types/http.js';
import type { Revocations } from './accessReplica.js';

/**
 * Access control (API.md, "Who may do what"): who the caller is, and whether the route lets them
 * in. The kernel runs it before anything else of a request, Min-Position waits included.
 */

/** Who may call `/admin/*`: an operator's token or the admin credential (cluster members send the admin credential). */
export const ADMIN = ['operator', 'admin'] as const;

/** Asks whether a verified credential was revoked since; throws 401 when it was. */
export type RevocationCheck = (credential: Credential) => Promise<void>;

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
/** Headers a proxy adds: a request carrying one came from somewhere else, whatever its socket says. */
const PROXY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-real-ip'];

export function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer ([^\s]+)$/i.exec(header) : null;
  return match?.[1];
}

/**
 * The admin token the console's sign-in stored (server/pages.ts): a browser opening a page cannot
 * send a bearer token. HttpOnly and SameSite=Strict, so another site cannot send it; a malformed
 * one is no credential (a 401, never a 500).
 */
function adminCookie(req: IncomingMessage): string | undefined {
  const match = /(?:^|;\s*)seams_admin=([^;\s]+)/.exec(req.headers.cookie ?? '');
  try {
    return match ? decodeURIComponent(match[1]!) : undefined;
  } catch {
    return undefined;
  }
}

/** A client on this machine, not relayed by a proxy on it. */
export function isLocalClient(req: IncomingMessage): boolean {
  return LOOPBACK.has(req.socket.remoteAddress ?? '') && !PROXY_HEADERS.some((h) => req.headers[h] !== undefined);
}

/** A module's revocation check: its access replica, caught up (bounded) only when it is far behind. */
export function revocationCheck(revocations: Revocations, catchUp: () => Promise<boolean>, module: string): RevocationCheck {
  return async (credential) => {
    let revoked = await revocations.check(credential);
    if (revoked === undefined && (await catchUp())) revoked = await revocations.check(credential);
    if (revoked === undefined) throw new UnavailableError(`module ${module} cannot check credentials right now`, 1);
    if (revoked) {
      throw new UnauthorizedError(credential.kind === 'member' ? 'this session has ended (logged out, or a role was revoked)' : 'this service token was revoked');
    }
  };
}

export class Authenticator {
  private readonly adminToken: Buffer | undefined;
  private readonly verified = new VerifiedTokens();

  constructor(
    private readonly tokens: TokenService,
    adminToken?: string,
  ) {
    this.adminToken = adminToken ? Buffer.from(adminToken) : undefined;
  }

  /**
   * The caller behind the request's credential, allowed by `access` (401: none or a bad one; 403:
   * one that `access` does not let in). The admin credential is `Bearer <SEAMS_ADMIN_TOKEN>`;
   * without that setting, a route that grants `admin` takes a local client that sends no bearer
   * as the admin. Tokens are checked against `revocations` (the module's access replica).
   */
  async authorize(req: IncomingMessage, access: Access, revocations: RevocationCheck | undefined): Promise<Caller | null> {
    if (access === 'anyone') return null;
    const caller = await this.identify(req, access, revocations);
    if (!caller) throw new UnauthorizedError(`this endpoint needs Authorization: Bearer <token> (${describe(access)})`);
    if (!access.some((grant) => grants(grant, caller))) throw new ForbiddenError(`this endpoint is for ${describe(access)}`);
    return caller;
  }

  private async identify(req: IncomingMessage, access: readonly Grant[], revocations: RevocationCheck | undefined): Promise<Caller | null> {
    if (req.headers.authorization !== undefined && bearer(req) === undefined) throw new UnauthorizedError('the Authorization header must be Bearer <token>');
    const token = bearer(req) ?? (this.adminToken && access.includes('admin') ? adminCookie(req) : undefined);
    if (token === undefined) return !this.adminToken && access.includes('admin') && isLocalClient(req) ? { kind: 'admin' } : null;
    if (this.adminToken) {
      const given = Buffer.from(token);
      if (given.length === this.adminToken.length && timingSafeEqual(given, this.adminToken)) return { kind: 'admin' };
    }
    const credential = await this.verified.verify(token, this.tokens);
    if (!revocations) throw new UnauthorizedError('no module here keeps revocations to check this token against: use the admin credential');
    await revocations(credential);
    return credential.kind === 'member'
      ? { kind: 'member', userId: credential.userId, sessionId: credential.sessionId, roles: credential.roles }
      : { kind: 'service', tokenId: credential.tokenId, scopes: credential.scopes };
  }
}

export function grants(grant: Grant, caller: Caller): boolean {
  switch (grant) {
    case 'member':
      return caller.kind === 'member';
    case 'operator':
      return caller.kind === 'member' && caller.roles.includes('operator');
    case 'admin':
      return caller.kind === 'admin';
    default:
      return caller.kind === 'service' && caller.scopes.includes(grant.slice('scope:'.length));
  }
}

/** `a member, or a service token with jobs:submit`. */
export function describe(access: Access): string {
  if (access === 'anyone') return 'anyone';
  const words = access.map((g) => (g === 'member' ? 'a member' : g === 'operator' ? 'an operator' : g === 'admin' ? 'the admin credential' : `a service token with ${g.slice('scope:'.length)}`));
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words.at(-1)}` : words[0]!;
}

/** Is the caller an operator (a member with the role, or the admin credential)? */
export const isOperator = (caller: Caller | null): boolean => caller !== null && (caller.kind === 'admin' || grants('operator', caller));

/**
 * Who the caller is, as one string for what a resource records about its creator (a job's
 * submitter) and for what is kept per caller (idempotency keys): a member's user id,
 * `service:<tokenId>`, or `admin`.
 */
export function principalOf(caller: Caller): string {
  return caller.kind === 'member' ? caller.userId : caller.kind === 'service' ? `service:${caller.tokenId}` : 'admin';
}

/**
 * Tokens whose signature was verified, until they expire: a signed token cannot change, so its
 * HMAC (computed on the thread pool, beside the databases' work) is checked once, not on every
 * request. Revocation is not cached here: it is asked on every request. Bounded: the oldest
 * entry goes when full.
 */
class VerifiedTokens {
  private readonly tokens = new Map<string, Credential>();

  constructor(private readonly capacity = 10_000) {}

  async verify(token: string, service: TokenService): Promise<Credential> {
    const known = this.tokens.get(token);
    if (known && known.expiresAt.getTime() > Date.now()) return known;
    if (known) this.tokens.delete(token);
    const credential = await service.verify(token);
    if (this.tokens.size >= this.capacity) this.tokens.delete(this.tokens.keys().next().value!);
    this.tokens.set(token, credential);
    return credential;
  }
}
