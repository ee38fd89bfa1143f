import { randomBytes } from 'node:crypto';
import amqplib, { type ConsumeMessage } from 'amqplib';
import { describeWithService } from './services.js';

/** The RabbitMQ broker tests use (loopback, guest); each test names its exchange and queues with a prefix of its own. */
export const TEST_AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

export const brokerPrefix = () => `seams-test-${randomBytes(5).toString('hex')}`;

async function unreachable(url: string): Promise<string | null> {
  try {
    const model = await amqplib.connect(url, { timeout: 3000 });
    await model.close();
    return null;
  } catch (error) {
    return (error as Error).message || String(error);
  }
}

/** Declares a suite that needs the broker: skipped with the reason without one, except on CI (CI=true), where that fails. */
export async function describeBroker(title: string, body: (url: string) => void): Promise<void> {
  const reason = await unreachable(TEST_AMQP_URL);
  const address = TEST_AMQP_URL.replace(/\/\/[^@/]*@/, '//');
  describeWithService(title, 'RabbitMQ', reason && `RabbitMQ at ${address} is unreachable (${reason}); set TEST_AMQP_URL to a broker`, () => body(TEST_AMQP_URL));
}

/** Deletes what a test declared under its prefix: its queues and exchange. */
export async function dropTopology(url: string, exchange: string, queues: readonly string[]): Promise<void> {
  const model = await amqplib.connect(url);
  try {
    for (const queue of queues) {
      const channel = await model.createChannel();
      await channel.deleteQueue(queue).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
    const channel = await model.createChannel();
    await channel.deleteExchange(exchange).catch(() => undefined);
    await channel.close().catch(() => undefined);
  } finally {
    await model.close().catch(() => undefined);
  }
}

/** A queue of the test's own bound to routing keys: what reached it, in order, as parsed bodies with their properties. */
export async function tapQueue(url: string, exchange: string, queue: string, keys: readonly string[]) {
  const model = await amqplib.connect(url);
  const channel = await model.createChannel();
  await channel.assertExchange(exchange, 'topic', { durable: true });
  await channel.assertQueue(queue, { durable: true });
  for (const key of keys) await channel.bindQueue(queue, exchange, key);
  const received: { body: any; message: ConsumeMessage }[] = [];
  return {
    received,
    /** Starts consuming (acknowledging each message). */
    async consume() {
      await channel.consume(queue, (message) => {
        if (!message) return;
        received.push({ body: JSON.parse(message.content.toString('utf8')), message });
        channel.ack(message);
      });
    },
    async close() {
      await channel.deleteQueue(queue).catch(() => undefined);
      await model.close().catch(() => undefined);
    },
  };
}

/** Polls until `check` returns a truthy value or `timeoutMs` passes (then throws with `what`). */
export async function until<T>(what: string, check: () => Promise<T> | T, timeoutMs = 10_000): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Exclude<T, false | null | undefined | 0 | ''>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
