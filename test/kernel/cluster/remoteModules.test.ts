import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import pino from 'pino';
import { Coordination } from '../../../src/kernel/cluster/coordination.js';
import { RemoteModules } from '../../../src/kernel/cluster/remoteModules.js';
import { RemoteError, UnavailableError } from '../../../src/kernel/host.js';
import { tempDir } from '../../support/tempDir.js';

/**
 * A member reaching a module in another process: it proves who it is with the shared secret (the
 * admin credential), and a peer that refuses the member itself (401/403: the secrets differ) is
 * logged as an error and retried later — never taken as the command's answer and dropped.
 */
describe('cluster: calls to modules in other processes', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let coordination: Coordination;
  let peer: Server;
  /** What the peer answers next, and what it was sent. */
  let answer: { status: number; body: unknown };
  const seen: { authorization?: string; path?: string }[] = [];
  const logged: { level: number; msg: string; status?: number }[] = [];
  let remote: RemoteModules;

  before(async () => {
    dir = await tempDir('seams-remote-');
    coordination = await Coordination.open({ store: 'sqlite', dataDir: dir.path });
    peer = createServer((req, res) => {
      seen.push({ authorization: req.headers.authorization, path: req.url });
      req.resume().on('end', () => {
        res.writeHead(answer.status, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    await coordination.announce({ processId: 'peer', url: `http://127.0.0.1:${(peer.address() as AddressInfo).port}`, modules: ['communications'] });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line) logged.push(JSON.parse(line));
        done();
      },
    });
    remote = new RemoteModules(coordination, { freshMs: 60_000, adminToken: 'the-shared-secret-of-the-cluster', log: pino({ level: 'info' }, sink) });
  });
  after(async () => {
    await new Promise<void>((resolve) => peer.close(() => resolve()));
    await coordination.close();
    await dir.cleanup();
  });

  it('sends the shared secret as its credential', async () => {
    answer = { status: 204, body: '' };
    await remote.command('communications', 'communications.SendMail', { to: 'a@example.com' }, { commandId: 'c-1' });
    expect(seen.at(-1)).to.deep.equal({ authorization: 'Bearer the-shared-secret-of-the-cluster', path: '/admin/commands/communications.SendMail' });
  });

  for (const status of [401, 403]) {
    it(`a ${status} from the peer (it refuses this member) is logged as an error and is "unavailable" (retried), not the command's answer`, async () => {
      answer = { status, body: { type: 'x', title: 'x', status, detail: 'admin endpoints need Authorization: Bearer <SEAMS_ADMIN_TOKEN>' } };
      logged.length = 0;
      const error = await remote.command('communications', 'communications.SendMail', { to: 'a@example.com' }, { commandId: 'c-2' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(UnavailableError);
      expect(error).not.to.be.instanceOf(RemoteError);
      const line = logged.find((l) => l.level === 50);
      expect(line, JSON.stringify(logged)).to.include({ status });
      expect(line!.msg).to.match(/refused this one: is SEAMS_ADMIN_TOKEN the same on every member/);
    });
  }

  it('a refusal of the request itself (here 409) keeps its status: the command was answered', async () => {
    answer = { status: 409, body: { type: 'x', title: 'x', status: 409, detail: 'customer was deleted' } };
    const error = await remote.command('communications', 'communications.SendMail', {}, { commandId: 'c-3' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(RemoteError);
    expect((error as RemoteError).status).to.equal(409);
  });
});
