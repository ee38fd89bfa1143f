export { defineEvent, type EventContract, type EventData, type EventOf, type Upcaster } from './events.js';
export { defineCommand, type CommandContract, type CommandData } from './commands.js';
export { defineQuery, type QueryContract, type QueryArgs, type QueryResult } from './queries.js';
export { EventRegistry } from './registry.js';
export { ownerOf } from './names.js';
export { parseWith, fieldErrors, wholeNumber, type FieldError } from './validation.js';
