import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/**
 * An SMTP server in this process on a random loopback port. It refuses recipients at
 * `bounce@` for good (550, with `state.refusal` as its text) and answers `busy@` with a
 * temporary 451 the first `busyTimes` times. `state.refusals` counts the 550s it gave. A message to
 * `hang@` is read whole and then never answered (while `state.hang` is set): the sender cannot
 * know whether it was taken. `state.messages` counts the messages it read, answered or not.
 */
export async function startSmtpServer() {
  const received: ReceivedMail[] = [];
  const state = { busyTimes: 0, busyAnswers: 0, refusal: 'no such mailbox here', refusals: 0, hang: true, messages: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('bounce@')) {
        state.refusals++;
        return callback(Object.assign(new Error(state.refusal), { responseCode: 550 }));
      }
      if (address.address.startsWith('busy@') && state.busyAnswers < state.busyTimes) {
        state.busyAnswers++;
        return callback(Object.assign(new Error('mailbox busy, try again later'), { responseCode: 451 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        state.messages++;
        if (state.hang && session.envelope.rcptTo.some((r) => r.address.startsWith('hang@'))) return; // no answer, ever
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, received, state, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
