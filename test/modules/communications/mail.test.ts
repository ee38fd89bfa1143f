import { expect } from 'chai';
import { NotFoundError } from '../../../src/kernel/host.js';
import { MailFailed, MailRequested, MailSent } from '../../../src/modules/communications/events.js';
import { mail, mailIdOf } from '../../../src/modules/communications/mail.js';
import { deciderSpec as spec } from '../../../src/kernel/host.js';

const mailId = mailIdOf('order-1');
const requested = { type: MailRequested.type, data: { mailId, to: 'ada@example.com', subject: 'Hello', body: 'Hi Ada', idempotencyKey: 'order-1' } };
const sent = { type: MailSent.type, data: { mailId, sentAt: '2026-01-01T00:00:00.000Z', via: 'file', messageId: '<m@x>' } };
const failed = { type: MailFailed.type, data: { mailId, error: '550 no such user', failedAt: '2026-01-01T00:00:00.000Z' } };

const request = { kind: 'request' as const, mailId, to: 'ada@example.com', subject: 'Hello', body: 'Hi Ada', idempotencyKey: 'order-1' };
const markSent = { kind: 'markSent' as const, mailId, sentAt: '2026-01-01T00:00:00.000Z', via: 'file' as const, messageId: '<m@x>' };
const markFailed = { kind: 'markFailed' as const, mailId, error: '550 no such user', failedAt: '2026-01-01T00:00:00.000Z' };

describe('communications: mail', () => {
  it('one idempotency key names one mail', () => {
    expect(mailIdOf('order-1')).to.equal(mailId);
    expect(mailIdOf('order-2')).not.to.equal(mailId);
  });

  it('is requested once per key: a second request (even with other content) changes nothing', () => {
    spec(mail).given([]).when(request).then([requested]);
    spec(mail).given([requested]).when(request).then([]);
    spec(mail).given([requested]).when({ ...request, subject: 'Something else' }).then([]);
    spec(mail).given([requested, sent]).when(request).then([]);
  });

  it('ends sent or failed, once', () => {
    spec(mail).given([requested]).when(markSent).then([sent]);
    spec(mail).given([requested]).when(markFailed).then([failed]);
    spec(mail).given([requested, sent]).when(markSent).then([]);
    spec(mail).given([requested, sent]).when(markFailed).then([]);
    spec(mail).given([requested, failed]).when(markSent).then([]);
  });

  it('knows no mail that was not requested', () => {
    spec(mail).given([]).when(markSent).thenThrows(NotFoundError, /no mail/);
  });
});
