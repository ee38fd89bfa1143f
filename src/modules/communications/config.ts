import { z } from 'zod';
import { defineConfig } from '../../kernel/index.js';

/** communications' settings (environment variables). */
export const communicationsConfig = defineConfig({
  /** Send mail over SMTP (`smtp://user:pass@host:port`); without it, each mail is an `.eml` file under the module's files. */
  SMTP_URL: z.string().min(1).optional(),
});
