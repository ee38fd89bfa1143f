import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { UnprocessableError, type ModuleContext } from '../../kernel/index.js';
import { communicationsConfig } from './config.js';

export const FROM = '"seams" <no-reply@seams.invalid>';

export interface OutgoingMail {
  mailId: string;
  to: string;
  subject: string;
  body: string;
}

export interface Delivery {
  via: 'smtp' | 'file';
  messageId: string;
}

/** The Message-ID is derived from the mail id: a mail sent twice (after a crash) is recognisably one. */
export const messageIdOf = (mailId: string) => `<${mailId}@seams.invalid>`;

/** Where mail goes without SMTP: one `.eml` file per mail in the module's own files. */
export const mailDir = (ctx: Pick<ModuleContext, 'filesDir'>) => join(ctx.filesDir(), 'mails');

/** An SMTP answer in the 5xx range: the server will never take this mail; do not retry. */
export class PermanentMailFailure extends UnprocessableError {}

/**
 * Delivers one mail: over SMTP when SMTP_URL is set, otherwise as a complete RFC 5322
 * message (`<mailId>.eml`) under the module's files directory. A 5xx answer throws
 * PermanentMailFailure; anything else (no connection, 4xx, a timeout) throws as it is, to be retried.
 */
export async function deliver(ctx: Pick<ModuleContext, 'settings' | 'filesDir'>, mail: OutgoingMail): Promise<Delivery> {
  const message = { from: FROM, to: mail.to, subject: mail.subject, text: mail.body, messageId: messageIdOf(mail.mailId) };
  const { SMTP_URL } = communicationsConfig.of(ctx);
  if (SMTP_URL) {
    const transport = nodemailer.createTransport(SMTP_URL);
    try {
      const info = await transport.sendMail(message);
      return { via: 'smtp', messageId: info.messageId };
    } catch (error) {
      throw classify(error);
    } finally {
      transport.close();
    }
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const info = await transport.sendMail(message);
  const dir = mailDir(ctx);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${mail.mailId}.eml`);
  // Written whole or not at all: a crash leaves no half message behind. Readable by the server's user only.
  writeFileSync(`${file}.tmp`, info.message as Buffer, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return { via: 'file', messageId: info.messageId };
}

function classify(error: unknown): unknown {
  const code = (error as { responseCode?: unknown }).responseCode;
  if (typeof code === 'number' && code >= 500 && code < 600) {
    return new PermanentMailFailure(`the SMTP server refused the mail: ${(error as Error).message}`);
  }
  return error;
}
