/**
 * A logout is honoured at once by every module, also while the log moves fast and the modules'
 * replicas of ended sessions lag behind it: any request sent after `DELETE /identity/sessions/current`
 * answered 204 is refused with 401, in catalog, users and chat, with no `Min-Position` and no wait.
 */
import { expect } from 'chai';
import { tempDir } from '../support/tempDir.js';
import { requestJson, signUp, startServerProcess, type ServerProcess } from '../support/serverProcess.js';

describe('e2e: logout under write load', function () {
  this.timeout(120_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: ServerProcess | undefined;

  before(async () => {
    dir = await tempDir('seams-e2e-logout-');
    server = await startServerProcess({ dataDir: dir.path });
  });
  after(async () => {
    await server?.stop('SIGKILL');
    await dir?.cleanup();
  });

  it('refuses every request sent after the logout was acknowledged, in every module, while others keep writing', async () => {
    const base = server!.base;
    const other = await signUp(base, 'Busy');
    const victim = await signUp(base, 'Victim');
    const wrong: string[] = [];

    // Background load from another session: the log keeps moving while the victim logs in and out.
    let loading = true;
    let background = 0;
    const loaders = Array.from({ length: 16 }, async () => {
      while (loading) {
        const reply = await requestJson(base, 'POST', '/catalog/items', { token: other.token, body: { title: 'load', priceCents: 1 } });
        if (reply.status !== 201) wrong.push(`background write: ${reply.status} ${reply.text}`);
        background++;
      }
    });

    const email = `${crypto.randomUUID()}@example.com`;
    const password = 'correct horse battery staple';
    const registered = await requestJson(base, 'POST', '/identity/registrations', { body: { email, password, displayName: 'Cycler' } });
    expect(registered.status, registered.text).to.equal(201);
    const userId = registered.body.userId as string;

    for (let round = 0; round < 6; round++) {
      const session = await requestJson(base, 'POST', '/identity/sessions', { body: { email, password } });
      expect(session.status, session.text).to.equal(201);
      const token = session.body.token as string;
      // The session works (and is now remembered as not ended by the modules that checked it)...
      const before = await requestJson(base, 'POST', '/catalog/items', { token, body: { title: `round ${round}`, priceCents: round } });
      expect(before.status, before.text).to.equal(201);
      // ...and keeps writing from several clients while it logs out.
      let loggedOut = false;
      const writers = Array.from({ length: 4 }, async () => {
        while (!loggedOut) await requestJson(base, 'POST', '/catalog/items', { token, body: { title: 'racing the logout', priceCents: 0 } });
      });
      const logout = await requestJson(base, 'DELETE', '/identity/sessions/current', { token });
      expect(logout.status, logout.text).to.equal(204);
      loggedOut = true;
      await Promise.all(writers);

      // Sent after the 204: refused everywhere, at once.
      const after = await Promise.all([
        requestJson(base, 'POST', '/catalog/items', { token, body: { title: 'after logout', priceCents: 1 } }),
        requestJson(base, 'PATCH', `/users/${userId}`, { token, body: { bio: 'after logout' } }),
        requestJson(base, 'POST', '/chat/conversations', { token, body: { participantIds: [victim.userId] } }),
        requestJson(base, 'DELETE', '/identity/sessions/current', { token }),
      ]);
      for (const reply of after) if (reply.status !== 401) wrong.push(`round ${round}: ${reply.status} ${reply.text}`);
    }
    // A session that was never logged out still works.
    const still = await requestJson(base, 'POST', '/catalog/items', { token: victim.token, body: { title: 'still here', priceCents: 2 } });
    expect(still.status, still.text).to.equal(201);

    loading = false;
    await Promise.all(loaders);
    expect(wrong).to.deep.equal([]);
    expect(background, 'background writes').to.be.greaterThan(0);
  });
});
