import { expect } from 'chai';
import { runCli } from '../../../src/kernel/host.js';
import { modules } from '../../../src/application.js';
import { startApp, type TestApp } from '../../support/httpHarness.js';
import { expectProblem, expectStatus } from '../../support/http.js';

const line = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);

/** `seams` in this process, on the app's data directory (beside the running server, as an operator would). */
async function seams(app: TestApp, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['--data-dir', app.dir, ...args], { modules, io: { out: (s) => out.push(line(s)), err: (s) => err.push(line(s)), isTTY: false } });
  return { code, out: out.join(''), err: err.join('') };
}

describe('identity: seams users grant-operator | revoke-operator <email>', function () {
  this.timeout(30_000);
  let app: TestApp;
  before(async () => {
    app = await startApp();
  });
  after(async () => app?.stop());

  it('grants the role by email (the next login carries it); revoking makes every module reject the user’s tokens', async () => {
    const ada = await app.signUp('Ada');
    const granted = await seams(app, ['users', 'grant-operator', ada.email.toUpperCase()]);
    expect(granted).to.deep.include({ code: 0, err: '' });
    expect(granted.out).to.equal(`${ada.email} (${ada.userId}) is an operator now; the role comes with their next login\n`);
    expect((await seams(app, ['users', 'grant-operator', ada.email])).out).to.match(/is an operator already/);

    const session = await app.request('POST', '/identity/sessions', { body: { email: ada.email, password: ada.password } });
    expect(session.body.roles).to.deep.equal(['operator']);
    expectStatus(await app.request('GET', '/admin/projections', { token: session.body.token }), 200);

    const revoked = await seams(app, ['users', 'revoke-operator', ada.email]);
    expect(revoked).to.deep.include({ code: 0, out: `${ada.email} (${ada.userId}) is no longer an operator; their tokens are rejected from now on\n` });
    for (const token of [session.body.token, ada.token]) {
      expectProblem(await app.request('GET', '/admin/projections', { token }), 401);
      expectProblem(await app.request('PATCH', `/users/${ada.userId}`, { token, body: { bio: 'x' } }), 401);
    }
    const events = (await app.server.store.readStream(`identity.roles-${ada.userId}`)).map((e) => [e.type, e.metadata.actor]);
    expect(events).to.deep.equal([
      ['identity.OperatorGranted', 'cli'],
      ['identity.OperatorRevoked', 'cli'],
    ]);
  });

  it('an unknown email is one line and exit code 1; a missing email is bad usage (2); --help lists the commands', async () => {
    const unknown = await seams(app, ['users', 'grant-operator', 'nobody@example.com']);
    expect(unknown).to.deep.equal({ code: 1, out: '', err: 'seams: no user with the email nobody@example.com\n' });
    const missing = await seams(app, ['users', 'revoke-operator']);
    expect(missing.code).to.equal(2);
    expect(missing.err.trim().split('\n')).to.have.length(1);
    const help = await seams(app, ['users', '--help']);
    expect(help.code).to.equal(0);
    expect(help.out).to.match(/grant-operator <email>/).and.match(/revoke-operator <email>/);
  });
});
