/**
 * The kernel's public API: modules import the kernel through this file and nothing else.
 */
export * from './contracts/index.js';
export * from './event-store/index.js';
export * from './errors.js';
