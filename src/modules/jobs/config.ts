import { defineConfig, wholeNumber } from '../../kernel/index.js';

/** jobs' settings (environment variables). */
export const jobsConfig = defineConfig({
  /** Slots in each job type's pool: jobs of a type beyond it wait in line in `prepared`. */
  JOBS_POOL_SIZE: wholeNumber(1, 1_000_000).default(100),
});
