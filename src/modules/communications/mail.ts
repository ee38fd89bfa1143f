import { v5 as uuidv5 } from 'uuid';
import { NotFoundError, decideAndAppend, newEvent, type DecideOptions, type Decider, type ModuleEvents } from '../../kernel/index.js';
import { MailFailed, MailRequested, MailSent, type MailEvent, type MailStatus } from './events.js';

export interface Mail {
  mailId: string | null;
  status: MailStatus | null;
  to: string;
  subject: string;
  body: string;
}

export type MailCommand =
  | { kind: 'request'; mailId: string; to: string; subject: string; body: string; idempotencyKey: string; recipientUserId?: string }
  | { kind: 'markSent'; mailId: string; sentAt: string; via: 'smtp' | 'file'; messageId: string }
  | { kind: 'markFailed'; mailId: string; error: string; failedAt: string };

const MAIL_IDS = '0b6f3f3e-7c1a-4d55-9b7e-3f1f0c8a2d64';

/** The mail of an idempotency key: the same key always names the same mail. */
export const mailIdOf = (idempotencyKey: string) => uuidv5(idempotencyKey, MAIL_IDS);

/**
 * A mail is requested once per idempotency key (its id is derived from the key, so a second
 * request finds the stream and changes nothing), then ends sent or failed, once.
 */
export const mail: Decider<Mail, MailCommand, MailEvent> = {
  initialState: () => ({ mailId: null, status: null, to: '', subject: '', body: '' }),
  evolve(state, event) {
    switch (event.type) {
      case MailRequested.type:
        return { mailId: event.data.mailId, status: 'pending', to: event.data.to, subject: event.data.subject, body: event.data.body };
      case MailSent.type:
        return { ...state, status: 'sent' };
      case MailFailed.type:
        return { ...state, status: 'failed' };
    }
  },
  decide(command, state) {
    if (command.kind === 'request') {
      if (state.mailId) return [];
      const { kind: _kind, ...data } = command;
      return [newEvent(MailRequested, data)];
    }
    if (!state.mailId) throw new NotFoundError(`no mail ${command.mailId}`);
    if (state.status !== 'pending') return [];
    if (command.kind === 'markSent') return [newEvent(MailSent, { mailId: command.mailId, sentAt: command.sentAt, via: command.via, messageId: command.messageId })];
    return [newEvent(MailFailed, { mailId: command.mailId, error: command.error, failedAt: command.failedAt })];
  },
};

/** Decides a command on the mail's stream; a concurrent write (two requests of one key at once) is decided again. */
export const handleMail = (events: ModuleEvents, command: MailCommand, options: DecideOptions = {}) =>
  decideAndAppend(events, events.stream('mail', command.mailId), mail, command, { conflictRetries: 4, ...options });
