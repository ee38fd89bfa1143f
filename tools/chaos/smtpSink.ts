/**
 * An SMTP server in the campaign's own process (which no fault touches), taking every mail the
 * members send and keeping each delivery's subject. Unlike `.eml` files, where a second delivery of
 * a mail overwrites the first's file, every delivery is counted: a mail sent again shows (with its
 * Message-ID, by which a receiver drops the repeat).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  url: string;
  /** Every delivery's subject and Message-ID, in arrival order. */
  deliveries: { subject: string; messageId: string }[];
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const deliveries: SmtpSink['deliveries'] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const message = Buffer.concat(chunks).toString('utf8');
        const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(message)?.[1]?.trim() ?? '';
        deliveries.push({ subject: header('Subject'), messageId: header('Message-ID') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, deliveries, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
