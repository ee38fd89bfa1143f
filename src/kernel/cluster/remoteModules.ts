import type { Logger } from 'pino';
import { RemoteError, UnavailableError } from '../errors.js';
import { inSpan, SpanKind, traceparentOf } from '../telemetry/tracing.js';
import type { CommandMeta } from '../types/module.js';
import { LivePeers, type Coordination, type Peer } from './coordination.js';

/**
 * Reaches modules that run in another process, over HTTP: queries to `POST /admin/queries/:type`,
 * commands to `POST /admin/commands/:type` of a live peer that serves the module, with the
 * cluster's shared secret (SEAMS_ADMIN_TOKEN) as the bearer: members prove who they are, never by
 * their address. A refusal of the request (4xx) comes back as the same status; a refusal of the
 * member itself (401, 403: the secrets differ) is logged as an error and is "unavailable" (worth
 * retrying, never taken as the command's answer); anything else is "unavailable" too.
 */
export class RemoteModules {
  private readonly peers: LivePeers;

  constructor(
    coordination: Coordination,
    private readonly options: { freshMs: number; adminToken?: string; timeoutMs?: number; log: Logger },
  ) {
    this.peers = new LivePeers(coordination, options.freshMs);
  }

  query(module: string, type: string, args: unknown): Promise<unknown> {
    return this.post(module, `/admin/queries/${encodeURIComponent(type)}`, args);
  }

  /** The command's metadata (conversation, cause, actor, trace) travels with it; the peer's log lines name the conversation. */
  async command(module: string, type: string, data: unknown, meta: CommandMeta): Promise<void> {
    await this.post(module, `/admin/commands/${encodeURIComponent(type)}`, { data, meta }, meta.correlationId);
  }

  private async peerFor(module: string): Promise<Peer | undefined> {
    const serving = (await this.peers.list()).filter((p) => p.modules.includes(module));
    return serving[Math.floor(Math.random() * serving.length)];
  }

  private post(module: string, path: string, body: unknown, correlationId?: string): Promise<unknown> {
    return inSpan(`POST ${path.replace(/[^/]+$/, ':type')}`, { kind: SpanKind.CLIENT, attributes: { 'seams.module': module, 'url.path': path } }, () => this.send(module, path, body, correlationId));
  }

  private async send(module: string, path: string, body: unknown, correlationId: string | undefined): Promise<unknown> {
    const peer = await this.peerFor(module);
    if (!peer) throw new UnavailableError(`module ${module} runs in no live process`);
    const traceparent = traceparentOf();
    let res: Response;
    try {
      res = await fetch(`${peer.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.options.adminToken ? { authorization: `Bearer ${this.options.adminToken}` } : {}),
          ...(traceparent ? { traceparent } : {}),
          ...(correlationId && /^[\w.-]{1,100}$/.test(correlationId) ? { 'x-request-id': correlationId } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      this.peers.forget();
      throw new UnavailableError(`module ${module} at ${peer.url} did not answer: ${(error as Error).message}`);
    }
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (res.ok) return parsed;
    const detail = (parsed as { detail?: string } | undefined)?.detail ?? res.statusText;
    if (res.status === 401 || res.status === 403) {
      this.options.log.error({ peer: peer.processId, url: `${peer.url}${path}`, status: res.status, detail }, 'a cluster member refused this one: is SEAMS_ADMIN_TOKEN the same on every member? (kept for retry)');
      throw new UnavailableError(`module ${module} at ${peer.url} refused this cluster member (${res.status}: ${detail})`);
    }
    if (res.status >= 400 && res.status < 500) throw new RemoteError(res.status, detail);
    throw new UnavailableError(`module ${module} at ${peer.url}: ${detail}`);
  }
}
