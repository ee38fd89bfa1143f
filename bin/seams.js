#!/usr/bin/env node
// The `seams` bin: runs the TypeScript entry through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
