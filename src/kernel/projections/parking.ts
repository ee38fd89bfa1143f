import type { Knex } from 'knex';
import { batchedGroupReads } from '../batchedReads.js';
import type { RecordedEvent } from '../types/eventStore.js';
import type { ParkedStream } from '../types/projection.js';
import type { Generation } from './generations.js';

/**
 * Streams a projection set aside (table `parked_events`): when a handler keeps failing on an
 * event, that event's stream is parked and every later event of the stream parks behind it, so
 * order within a stream holds; all other streams go on. An operator retries a stream (its
 * leader replays the parked events in order) or skips its first event (recorded in the log).
 */

type Db = Knex | Knex.Transaction;
type Where = Pick<Generation, 'name' | 'generation'>;

const of = (g: Where) => ({ projection: g.name, generation: g.generation });

interface Row {
  projection: string;
  generation: number;
  position: number | string;
  stream: string;
  event_id: string;
  error: string | null;
  retry: number | boolean;
  parked_at: number | string;
}

/** The streams parked now, for a batch to keep their later events behind. */
export async function parkedStreamNames(db: Db, g: Where): Promise<Set<string>> {
  return new Set((await db('parked_events').where(of(g)).distinct('stream').pluck('stream')) as string[]);
}

/** Sets an event aside: the first of its stream with the error, or behind an earlier one (no error). */
export async function park(db: Db, g: Where, event: RecordedEvent, error: string | null): Promise<void> {
  await db('parked_events')
    .insert({ ...of(g), position: event.position, stream: event.stream, event_id: event.id, error, retry: false, parked_at: Date.now() })
    .onConflict(['projection', 'generation', 'position'])
    .ignore();
}

/** Each parked stream: how many events, the first one's position and error. */
export async function parkedStreams(db: Db, g: Where): Promise<ParkedStream[]> {
  return streamsOf((await db('parked_events').where(of(g)).orderBy('position')) as Row[]);
}

/** The parked events of the projections whose runners look in one turn, in one query (as `lookGenerations`). */
const looked = batchedGroupReads((holder: { db: Knex }, names: readonly string[]) => holder.db('parked_events').whereIn('projection', names).orderBy('position') as Promise<Row[]>, (row) => row.projection);

/** `parkedStreams`, gathered with the other runners' looks of this turn. */
export async function lookParkedStreams(db: Knex, g: Where): Promise<ParkedStream[]> {
  return streamsOf((await looked({ db }, g.name)).filter((r) => Number(r.generation) === g.generation));
}

function streamsOf(rows: readonly Row[]): ParkedStream[] {
  const streams = new Map<string, ParkedStream>();
  for (const r of rows) {
    const s = streams.get(r.stream);
    if (s) s.events++;
    else streams.set(r.stream, { stream: r.stream, events: 1, position: Number(r.position), eventId: r.event_id, error: r.error ?? '', retrying: Boolean(r.retry) });
  }
  return [...streams.values()];
}

/** The parked events of the streams an operator asked to retry, oldest first, per stream. */
export async function streamsToRetry(db: Db, g: Where): Promise<Map<string, number[]>> {
  const rows = (await db('parked_events').where({ ...of(g), retry: true }).orderBy('position')) as Row[];
  const streams = new Map<string, number[]>();
  for (const r of rows) streams.set(r.stream, [...(streams.get(r.stream) ?? []), Number(r.position)]);
  return streams;
}

/** The retry of a stream worked: its events are applied, the stream goes on. */
export async function unpark(trx: Knex.Transaction, g: Where, stream: string): Promise<void> {
  await trx('parked_events').where({ ...of(g), stream }).delete();
}

/** The retry failed again: the stream stays parked with the new error on its first event. */
export async function stillParked(db: Db, g: Where, stream: string, first: number, error: string): Promise<void> {
  await db('parked_events').where({ ...of(g), stream }).update({ retry: false });
  await db('parked_events').where({ ...of(g), position: first }).update({ error });
}

/** Asks the leader to replay the given streams (all parked ones when none given). Returns how many it asked for. */
export async function requestRetry(db: Db, g: Where, stream?: string): Promise<number> {
  const q = db('parked_events').where(of(g));
  if (stream) q.andWhere({ stream });
  const streams = await q.clone().distinct('stream').pluck('stream');
  await q.update({ retry: true });
  return streams.length;
}

/** Drops a stream's first parked event for good (the skip is recorded in the log by the caller); the rest is retried. */
export async function dropFirst(db: Db, g: Where, stream: string): Promise<{ position: number; eventId: string; error: string | null } | undefined> {
  const first = (await db('parked_events').where({ ...of(g), stream }).orderBy('position').first()) as Row | undefined;
  if (!first) return undefined;
  await db('parked_events').where({ ...of(g), position: first.position }).delete();
  await db('parked_events').where({ ...of(g), stream }).update({ retry: true });
  return { position: Number(first.position), eventId: first.event_id, error: first.error };
}
