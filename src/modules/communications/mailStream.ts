import { v5 as uuidv5 } from 'uuid';
import { decideAndAppend, type Decision, type EventMetadata, type ModuleEvents } from '../../kernel/index.js';
import { mail, type Mail, type MailCommand } from './mail.js';

const MAIL_IDS = '0b6f3f3e-7c1a-4d55-9b7e-3f1f0c8a2d64';

/** The mail of an idempotency key: the same key always names the same mail. */
export const mailIdOf = (idempotencyKey: string) => uuidv5(idempotencyKey, MAIL_IDS);

/** Decides a command on the mail's stream; a concurrent write (two requests of one key at once) is decided again. */
export async function changeMail(events: ModuleEvents, command: MailCommand, metadata: Omit<EventMetadata, 'module'> = {}): Promise<Decision<Mail>> {
  return decideAndAppend(events, events.stream('mail', command.mailId), mail, command, { metadata, conflictRetries: 4 });
}
