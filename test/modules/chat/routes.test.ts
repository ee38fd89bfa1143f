import { expect } from 'chai';
import { startApp, type TestApp } from '../../support/httpHarness.js';
import {
  HOSTILE_TEXTS,
  UUID,
  badInputTable,
  commonBadInputs,
  eventPosition,
  expectProblem,
  expectStatus,
  fieldCases,
  missingFieldCases,
  unknownId,
  type BadInput,
  type Endpoint,
} from '../../support/http.js';

interface Fixture {
  app: TestApp;
  token: string;
  userId: string;
  conversationId: string;
}

type User = Awaited<ReturnType<TestApp['signUp']>>;

interface Message {
  messageId: string;
  senderId: string;
  senderDisplayName: string | null;
  text: string;
  sentAt: string;
}

describe('HTTP chat', function () {
  let app: TestApp;
  let ada: User;
  let bob: User;
  let eve: User;
  let fx: Fixture;

  const start = (user: User, participantIds: string[]) => app.request('POST', '/chat/conversations', { token: user.token, body: { participantIds } });
  const post = (user: User, conversationId: string, text: string) =>
    app.request('POST', `/chat/conversations/${conversationId}/messages`, { token: user.token, body: { text } });
  const list = (user: User, conversationId: string, minPosition?: string) =>
    app.request<{ messages: Message[] }>('GET', `/chat/conversations/${conversationId}/messages`, {
      token: user.token,
      headers: minPosition === undefined ? {} : { 'min-position': minPosition },
    });

  before(async () => {
    app = await startApp();
    ada = await app.signUp('Ada');
    bob = await app.signUp('Bob');
    eve = await app.signUp('Eve');
    const conversation = await start(ada, [bob.userId]);
    expectStatus(conversation, 201);
    fx = { app, token: ada.token, userId: ada.userId, conversationId: conversation.body.conversationId };
  });
  after(async () => app?.stop());

  describe('POST /chat/conversations', () => {
    it('201 { conversationId } with Event-Position; the caller is a participant without listing themself', async () => {
      const reply = await start(ada, [bob.userId]);
      expectStatus(reply, 201);
      expect(Object.keys(reply.body)).to.deep.equal(['conversationId']);
      expect(reply.body.conversationId).to.match(UUID);
      expect(eventPosition(reply)).to.equal(await app.headOf(eventPosition(reply)));
      expectStatus(await post(ada, reply.body.conversationId, 'I started it'), 201);
      expectStatus(await post(bob, reply.body.conversationId, 'I was invited'), 201);
    });

    it('422 for a participant unknown to chat; nothing appended', async () => {
      const before = await app.headPosition();
      const reply = await start(ada, [bob.userId, unknownId()]);
      expectProblem(reply, 422);
      expect(await app.headPosition()).to.equal(before);
    });
  });

  describe('messages', () => {
    it('participants post (201 with Event-Position) and read all messages in order with sender names', async () => {
      const conversation = await start(ada, [bob.userId]);
      const texts: [User, string][] = [
        [ada, 'hello'],
        [bob, 'hi Ada'],
        [ada, 'how are you?'],
        [bob, 'fine'],
      ];
      const ids: string[] = [];
      let position = '0';
      for (const [sender, text] of texts) {
        const reply = await post(sender, conversation.body.conversationId, text);
        expectStatus(reply, 201);
        expect(reply.body.messageId).to.match(UUID);
        position = eventPosition(reply);
        expect(position).to.equal(await app.headOf(position));
        ids.push(reply.body.messageId);
      }
      for (const reader of [ada, bob]) {
        const reply = await list(reader, conversation.body.conversationId, position);
        expectStatus(reply, 200);
        expect(reply.body.messages.map((m) => [m.messageId, m.senderId, m.senderDisplayName, m.text])).to.deep.equal(
          texts.map(([sender, text], i) => [ids[i], sender.userId, sender === ada ? 'Ada' : 'Bob', text]),
        );
        for (const m of reply.body.messages) expect(Number.isNaN(Date.parse(m.sentAt))).to.equal(false);
      }
    });

    it('pages: the newest `limit` first (oldest first within the page), `nextBefore` leads to the page before, null at the first message', async () => {
      const conversation = await start(ada, [bob.userId]);
      const id = conversation.body.conversationId;
      const ids: string[] = [];
      let position = '0';
      for (let i = 1; i <= 7; i++) {
        const reply = await post(i % 2 ? ada : bob, id, `message ${i}`);
        ids.push(reply.body.messageId);
        position = eventPosition(reply);
      }
      const page = (query: string) => app.request<{ messages: Message[]; nextBefore: string | null }>('GET', `/chat/conversations/${id}/messages?${query}`, { token: ada.token, headers: { 'min-position': position } });
      const texts = (reply: Awaited<ReturnType<typeof page>>) => reply.body.messages.map((m) => m.text);
      const newest = await page('limit=3');
      expect(texts(newest)).to.deep.equal(['message 5', 'message 6', 'message 7']);
      expect(newest.body.nextBefore).to.equal(ids[4]);
      const middle = await page(`limit=3&before=${newest.body.nextBefore}`);
      expect(texts(middle)).to.deep.equal(['message 2', 'message 3', 'message 4']);
      const first = await page(`limit=3&before=${middle.body.nextBefore}`);
      expect(texts(first)).to.deep.equal(['message 1']);
      expect(first.body.nextBefore).to.equal(null);
      expect(texts(await page(''))).to.have.length(7); // the default limit, 100, holds them all
      // A cursor that is no message of this conversation references something unknown.
      expectProblem(await page(`before=${unknownId()}`), 422);
      for (const bad of ['limit=0', 'limit=501', 'limit=abc', 'before=not-a-uuid']) expectProblem(await page(bad), 400, bad.split('=')[0]);
    });

    it('a conversation with no messages lists none', async () => {
      const conversation = await start(bob, [ada.userId]);
      const reply = await list(ada, conversation.body.conversationId, eventPosition(conversation));
      expectStatus(reply, 200);
      expect(reply.body).to.deep.equal({ messages: [], nextBefore: null });
    });

    it('404 for a non-participant posting or reading, as for an unknown conversation; nothing appended', async () => {
      const before = await app.headPosition();
      expectProblem(await post(eve, fx.conversationId, 'let me in'), 404);
      expectProblem(await list(eve, fx.conversationId), 404);
      expect(await app.headPosition()).to.equal(before);
    });

    it('404 for an unknown conversation, posting or reading', async () => {
      const before = await app.headPosition();
      expectProblem(await post(ada, unknownId(), 'anyone?'), 404);
      expectProblem(await list(ada, unknownId()), 404);
      expect(await app.headPosition()).to.equal(before);
    });

    it('messages that look like SQL or markup, and a 10,000-character one, are stored and returned verbatim', async () => {
      const conversation = await start(ada, [bob.userId]);
      const texts = [...HOSTILE_TEXTS, '  leading and trailing blanks  ', 'm'.repeat(10_000)];
      let position = '0';
      for (const text of texts) {
        const reply = await post(bob, conversation.body.conversationId, text);
        expectStatus(reply, 201);
        position = eventPosition(reply);
      }
      const reply = await list(ada, conversation.body.conversationId, position);
      expect(reply.body.messages.map((m) => m.text)).to.deep.equal(texts);
    });

    it('the sender name follows the sender’s profile changes', async () => {
      const carol = await app.signUp('Carol');
      const conversation = await start(carol, [ada.userId]);
      expectStatus(await post(carol, conversation.body.conversationId, 'before'), 201);
      const patch = await app.request('PATCH', `/users/${carol.userId}`, { token: carol.token, body: { displayName: '<i>Caroline</i>' } });
      expectStatus(patch, 200);
      const reply = await list(ada, conversation.body.conversationId, eventPosition(patch));
      expect(reply.body.messages.map((m) => m.senderDisplayName)).to.deep.equal(['<i>Caroline</i>']);
    });
  });

  describe('bad inputs', () => {
    const startEndpoint: Endpoint<Fixture> = { method: 'POST', path: '/chat/conversations', auth: true, validBody: () => ({ participantIds: [bob.userId] }) };
    const postEndpoint: Endpoint<Fixture> = {
      method: 'POST',
      path: (f) => `/chat/conversations/${f.conversationId}/messages`,
      label: '/chat/conversations/:conversationId/messages',
      auth: true,
      validBody: () => ({ text: 'valid' }),
    };
    const cases: BadInput<Fixture>[] = [
      ...commonBadInputs(startEndpoint),
      ...missingFieldCases(startEndpoint, ['participantIds']),
      ...fieldCases(startEndpoint, 'participantIds', [
        ['a string', 'someone'],
        ['an empty list', []],
        ['an object', { id: 'x' }],
        ['101 participants', Array.from({ length: 101 }, () => unknownId())],
      ]),
      ...fieldCases(startEndpoint, 'participantIds', [['a non-UUID entry', ['not-a-uuid']]], 400).map((c) => ({ ...c, field: 'participantIds.0' })),
      ...fieldCases(startEndpoint, 'participantIds', [['SQL as an entry', ["'; DROP TABLE user_names; --"]]], 400).map((c) => ({ ...c, field: 'participantIds.0' })),
      ...fieldCases(startEndpoint, 'participantIds', [['a number as an entry', [42]]], 400).map((c) => ({ ...c, field: 'participantIds.0' })),
      ...commonBadInputs(postEndpoint),
      ...missingFieldCases(postEndpoint, ['text']),
      ...fieldCases(postEndpoint, 'text', [
        ['empty', ''],
        ['a number', 5],
        ['null', null],
        ['10,001 characters', 'x'.repeat(10_001)],
      ]),
      { method: 'POST', path: '/chat/conversations/not-a-uuid/messages', name: 'a non-UUID conversation id', body: { text: 'x' }, auth: true, status: 400, field: 'id' },
      { method: 'POST', path: '/chat/conversations/%E0%A4%A/messages', name: 'broken percent-encoding in the id', body: { text: 'x' }, auth: true, status: 400 },
      ...commonBadInputs<Fixture>({ method: 'GET', path: (f) => `/chat/conversations/${f.conversationId}/messages`, label: '/chat/conversations/:conversationId/messages', auth: true }),
      { method: 'GET', path: '/chat/conversations/not-a-uuid/messages', name: 'a non-UUID conversation id', auth: true, status: 400, field: 'id' },
      { method: 'GET', path: `/chat/conversations/${'9'.repeat(1000)}/messages`, name: 'a 1,000-character id', auth: true, status: 400, field: 'id' },
    ];
    badInputTable(cases, () => fx);
  });
});
