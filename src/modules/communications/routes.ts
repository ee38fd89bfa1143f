import { z } from 'zod';
import { isOperator, ok, route, wholeNumber } from '../../kernel/index.js';
import { listMails, mailView } from './views/mailLog.js';

export const listMailsRoute = route.get('/mails', {
  summary: 'mails sent on your behalf (any, for operators), oldest first, optionally to one address: pending, sent (sentAt) or failed (error)',
  access: ['member'],
  query: z.object({ to: z.email().max(254).optional(), limit: wholeNumber(1, 500).default(100) }),
  responses: { 200: z.object({ mails: z.array(mailView) }) },
  async handle({ ctx, query, caller }) {
    return ok({ mails: await listMails(ctx, { ...query, ...(isOperator(caller) ? {} : { recipientUserId: caller.userId }) }) });
  },
});

export const routes = [listMailsRoute];
