import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { ConnectionPool } from '../../../bench/support/connectionPool.js';

describe('the open-loop phases’ connection pool', () => {
  let server: Server;
  let base: string;
  let connections = 0;
  let inFlight = 0;
  let mostInFlight = 0;

  before(async () => {
    server = createServer((req, res) => {
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () =>
        setTimeout(() => {
          inFlight--;
          res.writeHead(req.url === '/missing' ? 404 : 200).end(`${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`);
        }, 5),
      );
    });
    server.on('connection', () => connections++);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('sends any number of requests at once over at most its connections, the rest waiting their turn', async () => {
    const pool = new ConnectionPool(base, 4);
    try {
      const replies = await Promise.all(Array.from({ length: 200 }, (_, n) => pool.request('POST', `/r/${n}`, { headers: { 'content-type': 'application/json' }, body: `{"n":${n}}` })));
      expect(replies.map((r) => r.body)).to.deep.equal(Array.from({ length: 200 }, (_, n) => `POST /r/${n} {"n":${n}}`));
      expect(connections).to.equal(4);
      expect(mostInFlight).to.equal(4);
      const missing = await pool.request('GET', '/missing');
      expect(missing).to.deep.equal({ status: 404, body: 'GET /missing ' });
      expect(connections, 'kept alive').to.equal(4);
    } finally {
      pool.close();
    }
  });

  it('rejects when nothing listens', async () => {
    const pool = new ConnectionPool('http://127.0.0.1:1', 2);
    try {
      const failure = await pool.request('GET', '/').then(() => undefined, (error: NodeJS.ErrnoException) => error);
      expect(failure?.code).to.equal('ECONNREFUSED');
    } finally {
      pool.close();
    }
  });
});
