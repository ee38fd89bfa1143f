import { Writable } from 'node:stream';
import { expect } from 'chai';
import pino from 'pino';
import { modules as applicationModules } from '../../../src/application.js';
import { route, startServer, type RunningServer } from '../../../src/kernel/host.js';
import { tempDir } from '../../support/tempDir.js';
import { withModule } from '../../support/http.js';

interface Line {
  level: number;
  msg?: string;
  reqId?: string;
  module?: string;
  req?: { headers?: Record<string, string> };
}

/** The application with a pino logger whose lines are kept, and one extra catalog route whose handler logs and may fail. */
async function startLogged(level: string) {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n')) if (text) lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  const probe = route.get('/log-probe', {
    summary: 'test only: logs a line, then fails',
    access: 'anyone',
    async handle({ log }) {
      log.warn('handler line');
      throw new Error('boom');
    },
  });
  const modules = withModule('catalog', (m) => ({ ...m, routes: [...m.routes, probe] }));
  expect(applicationModules.length).to.equal(modules.length);
  const dir = await tempDir('seams-logging-');
  const server: RunningServer = await startServer(modules, { port: 0, dataDir: dir.path, store: 'sqlite', logLevel: level }, pino({ level }, sink));
  return {
    lines,
    get: (path: string, headers: Record<string, string> = {}) => fetch(`http://127.0.0.1:${server.port}${path}`, { headers }).then(async (r) => ({ status: r.status, text: await r.text() })),
    async stop() {
      await server.close();
      await dir.cleanup();
    },
  };
}

describe('HTTP logging: the request id on every line a request writes', function () {
  this.timeout(30_000);

  for (const level of ['info', 'warn']) {
    it(`at ${level}: the handler's own line, the unhandled-error line${level === 'info' ? ' and the access line' : ''} carry reqId; no token is logged`, async () => {
      const app = await startLogged(level);
      try {
        const reply = await app.get('/catalog/log-probe', { 'x-request-id': `probe-${level}`, authorization: 'Bearer secret-token-value' });
        expect(reply.status).to.equal(500);
        expect(reply.text).not.to.include('boom');
        const mine = app.lines.filter((l) => l.reqId === `probe-${level}`);
        expect(mine.map((l) => l.msg)).to.include.members(['handler line', 'unhandled error']);
        expect(mine.find((l) => l.msg === 'handler line')).to.include({ module: 'catalog' });
        if (level === 'info') expect(mine.map((l) => l.msg)).to.include('request errored');
        // Every line written while the request ran names it.
        const from = app.lines.findIndex((l) => l.reqId === `probe-${level}`);
        const to = app.lines.findLastIndex((l) => l.reqId === `probe-${level}`);
        expect(app.lines.slice(from, to + 1).filter((l) => l.reqId !== `probe-${level}`)).to.deep.equal([]);
        expect(JSON.stringify(app.lines)).not.to.include('secret-token-value');
      } finally {
        await app.stop();
      }
    });
  }
});
