import type { RecordedEvent } from '../types/eventStore.js';
import type { CommandSummary } from '../types/process.js';

export type ConversationEntry =
  | { kind: 'request'; correlationId: string }
  | ({ kind: 'event' } & RecordedEvent)
  | ({ kind: 'command' } & CommandSummary);

/**
 * One conversation in order: the request that began it (when its events name it as their
 * cause), then each event in log order, each followed by the commands processes sent because of
 * it (and the events those commands caused come later in the log, naming the command as cause).
 * Commands whose cause is not among the events close the list.
 */
export function conversation(correlationId: string, events: readonly RecordedEvent[], commands: readonly CommandSummary[]): ConversationEntry[] {
  const byCause = new Map<string, CommandSummary[]>();
  for (const c of commands) byCause.set(c.causationId ?? '', [...(byCause.get(c.causationId ?? '') ?? []), c]);
  const entries: ConversationEntry[] = [];
  if (events.some((e) => e.metadata.causationId === correlationId)) entries.push({ kind: 'request', correlationId });
  for (const event of events) {
    entries.push({ kind: 'event', ...event });
    for (const c of byCause.get(event.id) ?? []) entries.push({ kind: 'command', ...c });
    byCause.delete(event.id);
  }
  for (const rest of byCause.values()) for (const c of rest) entries.push({ kind: 'command', ...c });
  return entries;
}
