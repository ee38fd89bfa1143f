import CircuitBreaker from 'opossum';
import type { QueryArgs, QueryContract, QueryResult } from '../types/contracts.js';
import { parseWith } from '../contracts/validation.js';
import { SeamsError, UnavailableError } from '../errors.js';
import { failed, inSpan, SpanKind } from '../telemetry/tracing.js';

/** A breaker's state, for `/metrics` and the console. */
export type BreakerState = 'closed' | 'half-open' | 'open';

export interface QueryGatewayOptions {
  timeoutMs?: number;
  /** How long an open breaker answers "unavailable" at once before it lets a trial call through. */
  resetTimeoutMs?: number;
}

type Answer = (query: QueryContract, args: unknown) => Promise<unknown>;

/**
 * Synchronous questions to other modules, always behind a timeout and a circuit breaker per
 * target module: when the owner is slow or down, callers get UnavailableError at once instead
 * of piling up. An answer the caller got wrong (4xx) does not count against the owner.
 */
export class QueryGateway {
  private readonly breakers = new Map<string, CircuitBreaker<[QueryContract, unknown], unknown>>();

  constructor(
    /** Finds who answers a query: in-process today, over HTTP when the owner runs elsewhere. */
    private readonly route: (module: string) => Answer | undefined,
    private readonly options: QueryGatewayOptions = {},
  ) {}

  ask<Q extends QueryContract>(query: Q, args: QueryArgs<Q>): Promise<QueryResult<Q>> {
    const parsed = parseWith(query.args, args, `arguments of ${query.type}`);
    const breaker = this.breaker(query.module);
    const attributes = { 'seams.query': query.type, 'seams.module': query.module, 'seams.breaker': stateOf(breaker) };
    return inSpan(`seams.query ${query.type}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      try {
        const result = await breaker.fire(query, parsed);
        return parseWith(query.result, result, `answer to ${query.type}`) as QueryResult<Q>;
      } catch (error) {
        if (error instanceof SeamsError) throw error;
        const code = (error as { code?: string }).code;
        const why = code === 'EOPENBREAKER' ? 'its circuit breaker is open' : code === 'ETIMEDOUT' ? 'it did not answer in time' : (error as Error).message;
        failed(span, error);
        throw new UnavailableError(`module ${query.module} is unavailable for ${query.type}: ${why}`);
      }
    });
  }

  /** The breaker towards each module asked so far. */
  breakerStates(): { module: string; state: BreakerState }[] {
    return [...this.breakers].map(([module, breaker]) => ({ module, state: stateOf(breaker) }));
  }

  /** For status pages and tests: is the breaker towards `module` open? */
  isOpen(module: string): boolean {
    return this.breakers.get(module)?.opened ?? false;
  }

  shutdown(): void {
    for (const breaker of this.breakers.values()) breaker.shutdown();
  }

  private breaker(module: string): CircuitBreaker<[QueryContract, unknown], unknown> {
    let breaker = this.breakers.get(module);
    if (!breaker) {
      breaker = new CircuitBreaker(
        async (query: QueryContract, args: unknown) => {
          const answer = this.route(module);
          if (!answer) throw new UnavailableError(`module ${module} does not run in this process and has no known address`);
          return answer(query, args);
        },
        {
          timeout: this.options.timeoutMs ?? 2000,
          resetTimeout: this.options.resetTimeoutMs ?? 5000,
          errorThresholdPercentage: 50,
          volumeThreshold: 3,
          // The caller's own mistakes (400, 404, 422...) say nothing about the owner's health.
          errorFilter: (error: unknown) => error instanceof SeamsError && error.status < 500,
        },
      );
      this.breakers.set(module, breaker);
    }
    return breaker;
  }
}

function stateOf(breaker: CircuitBreaker<any, any>): BreakerState {
  return breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed';
}
