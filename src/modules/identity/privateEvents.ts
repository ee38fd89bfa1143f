import { z } from 'zod';
import { defineEvent } from '../../kernel/index.js';

/** The password hash lives only in identity's private events, marked secret so admin reads redact it. */
export const PasswordSet = defineEvent(
  'identity.PasswordSet',
  1,
  z.object({ userId: z.uuid(), passwordHash: z.string().meta({ secret: true }) }),
);
