import amqplib, { type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { Logger } from 'pino';

/**
 * One AMQP connection per process, opened on first use and again after it was lost (the broker
 * stopped, the network dropped). The relay and the inbox each take their own channel from it
 * and open a new one when theirs closes; a channel that cannot be had means "the broker is
 * unreachable", which each shows in its status.
 */
export class BrokerConnection {
  private opening: Promise<ChannelModel> | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly name: string,
    private readonly log: Logger,
  ) {}

  /** The broker's address without its credentials, for messages. */
  get address(): string {
    return this.url.replace(/\/\/[^@/]*@/, '//');
  }

  async channel(): Promise<Channel> {
    return (await this.model()).createChannel();
  }

  /** A channel in confirm mode: the broker acknowledges every message it has taken responsibility for. */
  async confirmChannel(): Promise<ConfirmChannel> {
    return (await this.model()).createConfirmChannel();
  }

  async close(): Promise<void> {
    this.closed = true;
    const opening = this.opening;
    this.opening = undefined;
    const model = await opening?.catch(() => undefined);
    await model?.close().catch(() => undefined);
  }

  private model(): Promise<ChannelModel> {
    if (this.closed) return Promise.reject(new Error('the broker connection is closed'));
    if (!this.opening) {
      // noDelay: a batch's last message goes out at once, not after the broker acknowledged the previous packet (Nagle).
      const opening = amqplib.connect(this.url, { clientProperties: { connection_name: this.name }, timeout: 5000, noDelay: true }).then((model) => {
        model.on('error', (error: Error) => this.log.warn({ err: error }, 'broker connection error'));
        model.on('close', () => {
          if (this.opening === opening) this.opening = undefined;
          if (!this.closed) this.log.warn({ broker: this.address }, 'broker connection lost; reconnecting on next use');
        });
        return model;
      });
      opening.catch(() => {
        if (this.opening === opening) this.opening = undefined;
      });
      this.opening = opening;
    }
    return this.opening;
  }
}
