import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { expect } from 'chai';
import { createGateway, type Coordination } from '../../../src/kernel/host.js';
import { expectProblem } from '../../support/http.js';
import type { Reply } from '../../support/httpHarness.js';
import { quietLog } from '../../support/runtimeHarness.js';

/**
 * The gateway reads the cluster's peers from the coordination database. When that database is
 * down (PostgreSQL restarting), it routes to the peers it knew last; knowing none, it answers
 * 503 problem+json with Retry-After, never express's 500 HTML page (chaos seed 14, PostgreSQL).
 */
describe('gateway while the coordination database is down', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((done) => s.close(done));
  });

  const listen = async (handler: Parameters<typeof createServer>[1]) => {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  /** A coordination whose peers can be made unreadable, as a stopped database makes them. */
  const coordination = (peers: () => { processId: string; url: string; modules: string[] }[]) => ({ peers: async () => peers() }) as unknown as Coordination;
  const get = async (base: string, path: string): Promise<Reply> => {
    const response = await fetch(`${base}${path}`);
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, headers: response.headers, text, body } as Reply;
  };

  it('keeps routing to the last known peers when it cannot read them', async () => {
    const member = await listen((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[]}'));
    let down = false;
    const gateway = createGateway({
      coordination: coordination(() => {
        if (down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        return [{ processId: 'm1', url: member, modules: ['catalog'] }];
      }),
      modules: ['catalog'],
      freshMs: 10_000,
      log: quietLog,
    });
    const base = await listen(gateway);
    expect((await get(base, '/catalog/items')).status).to.equal(200);
    down = true;
    await new Promise((done) => setTimeout(done, 600)); // past the peer list's half-second cache
    const reply = await get(base, '/catalog/items');
    expect(reply.status, reply.text).to.equal(200);
  });

  it('knowing no peers yet, answers 503 problem+json with Retry-After', async () => {
    const gateway = createGateway({
      coordination: coordination(() => {
        throw Object.assign(new Error('Connection terminated unexpectedly'), {});
      }),
      modules: ['catalog'],
      freshMs: 10_000,
      log: quietLog,
    });
    const base = await listen(gateway);
    for (const path of ['/catalog/items', '/gateway/peers']) {
      const reply = await get(base, path);
      expectProblem(reply, 503);
      expect(reply.headers.get('retry-after'), path).to.match(/^\d+$/);
    }
  });
});
