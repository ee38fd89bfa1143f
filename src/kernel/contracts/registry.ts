import { ValidationError } from '../errors.js';
import type { EventContract } from '../types/contracts.js';
import { parseWith } from './validation.js';

/**
 * The event types a store knows. Appends are validated against the current schema; reads lift
 * older schema versions to the current one, so consumers only ever see the current shape.
 */
export class EventRegistry {
  private readonly contracts = new Map<string, EventContract>();

  constructor(contracts: Iterable<EventContract> = []) {
    for (const contract of contracts) this.register(contract);
  }

  register(contract: EventContract): this {
    const existing = this.contracts.get(contract.type);
    if (existing && existing !== contract) {
      throw new TypeError(`event type ${contract.type} is defined twice`);
    }
    this.contracts.set(contract.type, contract);
    return this;
  }

  has(type: string): boolean {
    return this.contracts.has(type);
  }

  get(type: string): EventContract | undefined {
    return this.contracts.get(type);
  }

  all(): EventContract[] {
    return [...this.contracts.values()];
  }

  /** Validates data for an append; returns the parsed data and the version it is stored with. */
  prepare(type: string, data: unknown): { data: unknown; schemaVersion: number } {
    const contract = this.contracts.get(type);
    if (!contract) throw new ValidationError(`unknown event type "${type}": no contract registers it`);
    return { data: parseWith(contract.schema, data, `data of ${type}`), schemaVersion: contract.schemaVersion };
  }

  /** Lifts data stored with `version` to the current schema version of its type. */
  upcast(type: string, version: number, data: unknown): { data: unknown; schemaVersion: number } {
    const contract = this.contracts.get(type);
    // A type nobody registers any more is passed through as stored: the log is never rewritten.
    if (!contract || version >= contract.schemaVersion) return { data, schemaVersion: version };
    let lifted = data;
    for (let v = version; v < contract.schemaVersion; v++) lifted = contract.upcasters.get(v)!(lifted);
    return { data: lifted, schemaVersion: contract.schemaVersion };
  }
}
