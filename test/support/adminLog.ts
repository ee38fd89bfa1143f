/** The whole log of a running server as a test reads it: `/admin/events`, page by page. */
import { expect } from 'chai';
import { requestJson } from './serverProcess.js';

export interface LoggedEvent {
  id: string;
  stream: string;
  revision: number;
  position: number;
  type: string;
  data: Record<string, unknown>;
  recordedAt: string;
}

export async function readLog(base: string, token?: string): Promise<{ events: LoggedEvent[]; head: number }> {
  const events: LoggedEvent[] = [];
  for (;;) {
    const after = events.length > 0 ? events[events.length - 1]!.position : 0;
    const page = await requestJson<{ events: LoggedEvent[]; headPosition: number }>(base, 'GET', `/admin/events?after=${after}&limit=1000`, { token });
    expect(page.status, page.text).to.equal(200);
    events.push(...page.body.events);
    if (page.body.events.length < 1000) return { events, head: page.body.headPosition };
  }
}

/** Counts the values of a list. */
export function counts<T>(values: Iterable<T>): Map<T, number> {
  const found = new Map<T, number>();
  for (const v of values) found.set(v, (found.get(v) ?? 0) + 1);
  return found;
}
