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
export async function deliver(ctx: Pick<ModuleContext, 'settings' | 'filesDir' | 'db' | 'leaseEpoch'>, mail: OutgoingMail): Promise<Delivery> {
  const message = { from: FROM, to: mail.to, subject: mail.subject, text: mail.body, messageId: messageIdOf(mail.mailId) };
  const { SMTP_URL } = communicationsConfig.of(ctx);
  if (SMTP_URL) {
    const epoch = await claimSmtpAttempt(ctx, mail.mailId);
    const transport = nodemailer.createTransport(SMTP_URL);
    try {
      // Taken: the claim stays, so nothing sends it again under this number (should recording it as sent fail).
      const info = await transport.sendMail(message);
      return { via: 'smtp', messageId: info.messageId };
    } catch (error) {
      // An answer from the server (or no connection at all) says the mail was not taken: it may go again.
      if (definite(error)) await settleSmtpAttempt(ctx, mail.mailId, epoch);
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

/** A hand-over whose outcome is unknown may not be repeated under the same fencing number. */
export class SmtpOutcomeUnknown extends Error {}

/**
 * Records that the mail is being handed to the SMTP server under this process's fencing number,
 * and refuses when it was already under the same number with no answer known: so a mail is sent
 * at most once per number (a new leader, or a restart, may send it again; its Message-ID, the
 * mail id, lets the receiver drop the duplicate).
 */
async function claimSmtpAttempt(ctx: Pick<ModuleContext, 'db' | 'leaseEpoch'>, mailId: string): Promise<number> {
  const epoch = ctx.leaseEpoch();
  if (epoch === undefined) throw new SmtpOutcomeUnknown(`mail ${mailId}: this process does not lead communications now; its leader sends it`);
  return ctx.db.transaction(async (trx) => {
    const row = (await trx('smtp_attempts').where({ mail_id: mailId }).first()) as { epoch: number | string } | undefined;
    if (row && Number(row.epoch) >= epoch) {
      throw new SmtpOutcomeUnknown(`mail ${mailId} was handed to the SMTP server under lease number ${row.epoch} without a known outcome: not sent again before a new number (a failover or restart)`);
    }
    await trx('smtp_attempts').insert({ mail_id: mailId, epoch, attempted_at: Date.now() }).onConflict('mail_id').merge();
    return epoch;
  });
}

async function settleSmtpAttempt(ctx: Pick<ModuleContext, 'db'>, mailId: string, epoch: number): Promise<void> {
  await ctx.db('smtp_attempts').where({ mail_id: mailId, epoch }).delete();
}

/** The server answered (a response code), or no connection was made at all: the mail was certainly not taken. */
function definite(error: unknown): boolean {
  const { responseCode, code, syscall } = error as { responseCode?: unknown; code?: unknown; syscall?: unknown };
  return typeof responseCode === 'number' || syscall === 'connect' || code === 'EDNS';
}

function classify(error: unknown): unknown {
  const code = (error as { responseCode?: unknown }).responseCode;
  if (typeof code === 'number' && code >= 500 && code < 600) {
    return new PermanentMailFailure(`the SMTP server refused the mail: ${(error as Error).message}`);
  }
  return error;
}
