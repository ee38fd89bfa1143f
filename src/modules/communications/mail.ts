import { z } from 'zod';
import { NotFoundError, defineEvent, type Decider, type ModuleEvent, type RecordedEvent } from '../../kernel/index.js';

/** communications' private events: one stream per mail (`communications.mail-<mailId>`). */
export const MailRequested = defineEvent(
  'communications.MailRequested',
  1,
  z.object({ mailId: z.uuid(), to: z.string(), subject: z.string(), body: z.string(), idempotencyKey: z.string() }),
);
export const MailSent = defineEvent(
  'communications.MailSent',
  1,
  z.object({ mailId: z.uuid(), sentAt: z.string(), via: z.enum(['smtp', 'file']), messageId: z.string() }),
);
export const MailFailed = defineEvent('communications.MailFailed', 1, z.object({ mailId: z.uuid(), error: z.string(), failedAt: z.string() }));

export const mailEvents = [MailRequested, MailSent, MailFailed];

export type MailStatus = 'pending' | 'sent' | 'failed';

export interface Mail {
  mailId: string | null;
  status: MailStatus | null;
  to: string;
  subject: string;
  body: string;
}

export type MailCommand =
  | { kind: 'request'; mailId: string; to: string; subject: string; body: string; idempotencyKey: string }
  | { kind: 'markSent'; mailId: string; sentAt: string; via: 'smtp' | 'file'; messageId: string }
  | { kind: 'markFailed'; mailId: string; error: string; failedAt: string };

/**
 * A mail is requested once per idempotency key (its id is derived from the key, so a second
 * request finds the stream and changes nothing), then ends sent or failed, once.
 */
export const mail: Decider<Mail, MailCommand> = {
  initialState: () => ({ mailId: null, status: null, to: '', subject: '', body: '' }),
  evolve(state, event: RecordedEvent<any>) {
    switch (event.type) {
      case MailRequested.type:
        return { mailId: event.data.mailId, status: 'pending', to: event.data.to, subject: event.data.subject, body: event.data.body };
      case MailSent.type:
        return { ...state, status: 'sent' };
      case MailFailed.type:
        return { ...state, status: 'failed' };
      default:
        return state;
    }
  },
  decide(command, state): ModuleEvent[] {
    if (command.kind === 'request') {
      if (state.mailId) return [];
      const { kind: _kind, ...data } = command;
      return [{ type: MailRequested.type, data }];
    }
    if (!state.mailId) throw new NotFoundError(`no mail ${command.mailId}`);
    if (state.status !== 'pending') return [];
    if (command.kind === 'markSent') {
      return [{ type: MailSent.type, data: { mailId: command.mailId, sentAt: command.sentAt, via: command.via, messageId: command.messageId } }];
    }
    return [{ type: MailFailed.type, data: { mailId: command.mailId, error: command.error, failedAt: command.failedAt } }];
  },
};
