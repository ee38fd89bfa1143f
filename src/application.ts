/**
 * Composition root: the application's modules. src/main.ts and src/cli.ts start them from here,
 * and `npm run lint:boundaries` checks their boundaries from here; it is the only file that
 * imports a module's index.ts.
 */
import type { ModuleDefinition } from './kernel/index.js';

export const modules: ModuleDefinition[] = [];
