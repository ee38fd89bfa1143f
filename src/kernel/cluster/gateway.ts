import express, { type Request } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { Logger } from 'pino';
import { endWithProblem, problemHandler, sendProblem } from '../http/problem.js';
import { LivePeers, type Coordination } from './coordination.js';
import { SeenPositions } from './seenPositions.js';

export interface GatewayOptions {
  coordination: Coordination;
  /** Names of every module of the application (the first path segment that is routed). */
  modules: readonly string[];
  /** A peer not seen for this long is considered gone. */
  freshMs: number;
  log: Logger;
}

/**
 * One base URL for clients when modules run in several processes: `/<module>/...` is proxied to
 * a live process that serves the module (round robin among them); a module served by no live
 * process answers 503 problem+json at once.
 */
export function createGateway(options: GatewayOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const live = new LivePeers(options.coordination, options.freshMs);
  live.onStale = (error) => options.log.warn({ err: error }, 'gateway: the peers cannot be read; routing to the last known ones');
  let turn = 0;
  const target = new WeakMap<Request, string>();
  const seen = new SeenPositions();

  app.get('/health/live', (_req, res) => {
    res.json({ status: 'live', role: 'gateway' });
  });
  app.get('/gateway/peers', async (_req, res) => {
    // (A peer list that cannot be read rejects; express 5 hands it to the problem handler below: 503.)
    res.json({ peers: await live.list() });
  });
  app.use(async (req, res, next) => {
    const module = req.path.split('/')[1] ?? '';
    const anyPeer = req.path === '/openapi.json';
    if (!anyPeer && !options.modules.includes(module)) return sendProblem(res, 404, `no route ${req.method} ${req.path}`);
    const candidates = (await live.list()).filter((p) => anyPeer || p.modules.includes(module));
    if (candidates.length === 0) return sendProblem(res, 503, `module ${module} runs in no live process right now`, { retryAfter: 1 });
    target.set(req, candidates[turn++ % candidates.length]!.url);
    next();
  });
  app.use(
    createProxyMiddleware<Request>({
      router: (req) => target.get(req)!,
      changeOrigin: true,
      xfwd: true,
      on: {
        proxyReq: (proxyReq, req) => seen.stamp(req, (name, value) => proxyReq.setHeader(name, value), (name) => proxyReq.removeHeader(name)),
        proxyRes: (proxyRes) => seen.record(proxyRes.headers),
        error: (error, _req, res) => {
          live.forget();
          options.log.warn({ err: error }, 'gateway: the peer did not answer');
          if ('writeHead' in res && !res.headersSent) endWithProblem(res, 503, 'the process serving this module did not answer', 1);
        },
      },
    }),
  );
  app.use(problemHandler(options.log));
  return app;
}
