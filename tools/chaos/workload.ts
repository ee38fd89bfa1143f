/**
 * The mixed workload, through the gateway: registrations, logins (and wrong passwords), logouts,
 * profile changes, items, customers, orders, cancellations, customer deletions, jobs with
 * execution reports, and chat. A few concurrent clients draw their next operation from the seed;
 * what they create (users, items, customers, orders, jobs, conversations) is shared among them.
 */
import type { Client } from './client.js';
import type { Random } from './schedule.js';

interface User {
  userId: string;
  email: string;
  tokens: string[];
}

const PASSWORD = 'chaos horse battery staple';
const JOB_TYPES = ['render', 'encode'];

const WEIGHTS = {
  register: 4, login: 4, badLogin: 2, duplicateRegistration: 1, logout: 2, profile: 5, item: 8, customer: 5, order: 16,
  cancellation: 4, customerDeletion: 1, job: 8, report: 12, conversation: 3, message: 6, read: 10,
};
type Operation = keyof typeof WEIGHTS;

export class Workload {
  readonly users: User[] = [];
  readonly items: string[] = [];
  readonly customers: { customerId: string; owner: User }[] = [];
  readonly orders: { orderId: string; owner: User }[] = [];
  readonly jobs: string[] = [];
  readonly conversations: { id: string; members: User[] }[] = [];
  operations = 0;
  private emails = 0;

  /** `reporter`: a token with jobs:report (the end system's). */
  constructor(
    private readonly client: Client,
    private readonly reporter: string,
    private readonly seed: number,
  ) {}

  /** Runs `clients` loops until `until()` says stop. */
  async run(random: Random, clients: number, until: () => boolean): Promise<void> {
    while (this.users.length < 2 && !until()) await this.register();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        const mine = random.fork();
        while (!until()) {
          await this.step(mine, mine.weighted(WEIGHTS));
          this.operations++;
        }
      }),
    );
  }

  private token(user: User): string | undefined {
    return user.tokens.at(-1);
  }

  private member(random: Random): User | undefined {
    const usable = this.users.filter((u) => u.tokens.length > 0);
    return usable.length ? random.pick(usable) : undefined;
  }

  private async register(): Promise<void> {
    const email = `chaos-${this.seed}-${++this.emails}@example.com`;
    const registered = await this.client.write('register', 'POST', '/identity/registrations', { body: { email, password: PASSWORD, displayName: `User ${this.emails}` } });
    if (registered.status !== 201) return;
    const user: User = { userId: registered.body.userId, email, tokens: [] };
    this.users.push(user);
    await this.login(user);
  }

  private async login(user: User): Promise<void> {
    const session = await this.client.write('login', 'POST', '/identity/sessions', { body: { email: user.email, password: PASSWORD } });
    if (session.status === 201) user.tokens.push(session.body.token);
  }

  private async step(random: Random, op: Operation): Promise<void> {
    const user = this.member(random);
    if (!user) return this.register();
    const token = this.token(user)!;
    const c = this.client;
    switch (op) {
      case 'register':
        return this.register();
      case 'login':
        return this.login(random.pick(this.users));
      case 'badLogin':
        // An address nobody registered: refused (401) without locking anyone's account.
        await c.write('badLogin', 'POST', '/identity/sessions', { body: { email: `nobody-${this.seed}-${random.int(0, 1e9)}@example.com`, password: 'wrong' } });
        return;
      case 'duplicateRegistration':
        await c.write('duplicateRegistration', 'POST', '/identity/registrations', { body: { email: user.email, password: PASSWORD, displayName: 'again' } });
        return;
      case 'logout': {
        if (user.tokens.length < 2) return this.login(user);
        const answer = await c.write('logout', 'DELETE', '/identity/sessions/current', { token: user.tokens[0] });
        if (answer.status === 204 || answer.status === 401) user.tokens.shift();
        return;
      }
      case 'profile':
        await c.write('profile', 'PATCH', `/users/${user.userId}`, { token, body: { displayName: `User ${random.int(0, 1e6)}`, bio: random.chance(0.5) ? 'likes chaos' : '' } });
        return;
      case 'item': {
        const answer = await c.write('item', 'POST', '/catalog/items', { token, body: { title: `Item ${random.int(0, 1e6)}`, priceCents: random.int(100, 20_000) } });
        if (answer.status === 201) this.items.push(answer.body.itemId);
        return;
      }
      case 'customer': {
        const answer = await c.write('customer', 'POST', '/customers', { token, body: { name: `Customer ${random.int(0, 1e6)}`, email: `customer-${random.int(0, 1e6)}@example.com` } });
        if (answer.status === 201) this.customers.push({ customerId: answer.body.customerId, owner: user });
        return;
      }
      case 'order': {
        if (this.customers.length === 0 || this.items.length === 0) return;
        const { customerId, owner } = random.pick(this.customers);
        const ownerToken = this.token(owner);
        if (!ownerToken) return;
        const lines = Array.from({ length: random.int(1, 3) }, () => ({ itemId: random.pick(this.items), quantity: random.int(1, 4) }));
        const answer = await c.write('order', 'POST', '/orders', { token: ownerToken, body: { customerId, lines } });
        if (answer.status === 202) this.orders.push({ orderId: answer.body.orderId, owner });
        return;
      }
      case 'cancellation': {
        if (this.orders.length === 0) return;
        const { orderId, owner } = random.pick(this.orders);
        const ownerToken = this.token(owner);
        if (ownerToken) await c.write('cancellation', 'POST', `/orders/${orderId}/cancellation`, { token: ownerToken });
        return;
      }
      case 'customerDeletion': {
        if (this.customers.length < 4) return;
        const index = random.int(0, this.customers.length - 1);
        const { customerId, owner } = this.customers[index]!;
        const ownerToken = this.token(owner);
        if (!ownerToken) return;
        const answer = await c.write('customerDeletion', 'DELETE', `/customers/${customerId}`, { token: ownerToken });
        if (answer.status === 204 || answer.status === 404) this.customers.splice(index, 1);
        return;
      }
      case 'job': {
        const answer = await c.write('job', 'POST', '/jobs', { token, body: { type: random.pick(JOB_TYPES), payload: { frame: random.int(0, 1e6) } } });
        if (answer.status === 202) this.jobs.push(answer.body.jobId);
        return;
      }
      case 'report': {
        if (this.jobs.length === 0) return;
        const jobId = random.pick(this.jobs.slice(-50));
        const status = random.weighted({ running: 3, succeeded: 3, failed: 1 });
        await c.write('report', 'POST', `/jobs/${jobId}/execution-reports`, { token: this.reporter, body: { status } });
        return;
      }
      case 'conversation': {
        const other = random.pick(this.users);
        if (other === user) return;
        const answer = await c.write('conversation', 'POST', '/chat/conversations', { token, body: { participantIds: [other.userId] } });
        if (answer.status === 201) this.conversations.push({ id: answer.body.conversationId, members: [user, other] });
        return;
      }
      case 'message': {
        if (this.conversations.length === 0) return;
        const conversation = random.pick(this.conversations);
        const sender = random.pick(conversation.members);
        const senderToken = this.token(sender);
        if (senderToken) await c.write('message', 'POST', `/chat/conversations/${conversation.id}/messages`, { token: senderToken, body: { text: `hello ${random.int(0, 1e6)}` } });
        return;
      }
      case 'read': {
        if (this.orders.length && random.chance(0.5)) {
          const { orderId, owner } = random.pick(this.orders);
          const ownerToken = this.token(owner);
          if (ownerToken) await c.read(`/orders/${orderId}`, ownerToken);
        } else if (this.items.length) await c.read(`/catalog/items/${random.pick(this.items)}`);
        return;
      }
    }
  }
}
