/**
 * The campaign's checker: the invariants of issue 14 over a history (what clients were told) and
 * an observation (what the system holds once quiet). Pure, so a fabricated history shows it can
 * fail. Every rule reads the log as the truth and the read models as what must agree with it.
 */
import type { History, LoggedEvent, Observation, WriteRecord } from './history.js';

export interface Verdict {
  /** Writes answered 2xx. */
  acknowledged: number;
  /** Acknowledged writes with an `Event-Position` whose request left no event in the log. */
  lost: number;
  /** Writes whose request appended the same event type more than once. */
  duplicated: number;
  /** Mails delivered again with the same Message-ID (SMTP only): not violations, reported. */
  redelivered: number;
  violations: string[];
}

const is2xx = (status: number | null) => status !== null && status >= 200 && status < 300;
const is4xx = (status: number | null) => status !== null && status >= 400 && status < 500;

function groupBy<T>(items: readonly T[], key: (item: T) => string | null | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === null || k === undefined) continue;
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}

/** `orders.order-<id>` → `orders.order`. */
const category = (stream: string) => stream.split('-')[0]!;

/**
 * Events of one type caused by one request that say it happened twice: the same data twice, or
 * two streams of one kind (a second order, a second session). One request may append several
 * events of a type to one stream with different data: deleting a customer releases each of its
 * reservations.
 */
function twice(same: readonly LoggedEvent[]): boolean {
  const data = new Set(same.map((e) => JSON.stringify(e.data)));
  const streams = new Set(same.map((e) => e.stream));
  const kinds = new Set(same.map((e) => category(e.stream)));
  return data.size < same.length || (streams.size > 1 && kinds.size < streams.size);
}

/** Every 2xx write is in the log exactly once; no write answered 4xx left an event. */
function checkWrites(writes: readonly WriteRecord[], events: readonly LoggedEvent[], verdict: Verdict): void {
  const byCause = groupBy(events, (e) => e.causationId);
  for (const write of writes) {
    const caused = byCause.get(write.requestId) ?? [];
    const label = `${write.kind} ${write.method} ${write.path} (request ${write.requestId}, ${write.attempts} attempt(s), answered ${write.status ?? 'nothing'})`;
    const repeated = [...groupBy(caused, (e) => e.type)].filter(([, same]) => twice(same));
    if (repeated.length > 0) {
      verdict.duplicated++;
      verdict.violations.push(`duplicated: ${label} appended ${repeated.map(([type, same]) => `${type} ×${same.length} (positions ${same.map((e) => e.position).join(', ')})`).join(', ')}`);
    }
    if (is2xx(write.status)) {
      verdict.acknowledged++;
      if (write.position === null) continue; // a 2xx that appended nothing (a repeated report, say)
      if (caused.length === 0) {
        verdict.lost++;
        verdict.violations.push(`lost: ${label} answered Event-Position ${write.position}, and the log has no event of that request`);
      } else if (!caused.some((e) => e.position === write.position)) {
        verdict.violations.push(`position: ${label} answered Event-Position ${write.position}; its events are at ${caused.map((e) => e.position).join(', ')}`);
      }
    } else if (is4xx(write.status) && !write.uncertain && caused.length > 0) {
      verdict.violations.push(`refused but written: ${label} left ${caused.map((e) => `${e.type}@${e.position}`).join(', ')}`);
    }
  }
}

const ORDER_FINAL: Record<string, string> = {
  'orders.OrderConfirmed': 'confirmed',
  'orders.OrderInvalidated': 'invalid',
  'orders.OrderRejected': 'rejected',
  'orders.OrderCancelled': 'cancelled',
};
const ORDER_STATUS: Record<string, string> = { ...ORDER_FINAL, 'orders.OrderPlaced': 'pending', 'orders.OrderCancellationRequested': 'cancelling' };

/** Orders end in one final state; reserved credit is the sum of confirmed orders per customer; one mail per confirmation. */
function checkOrders(events: readonly LoggedEvent[], observation: Observation, verdict: Verdict): void {
  const orders = groupBy(events.filter((e) => e.type in ORDER_STATUS), (e) => String(e.data.orderId));
  const confirmedTotals = new Map<string, number>();
  for (const [orderId, stream] of orders) {
    const status = ORDER_STATUS[stream.at(-1)!.type]!;
    const placed = stream.find((e) => e.type === 'orders.OrderPlaced');
    if (status === 'pending' || status === 'cancelling') verdict.violations.push(`order ${orderId} is still ${status}`);
    const decisions = stream.filter((e) => ['orders.OrderConfirmed', 'orders.OrderInvalidated', 'orders.OrderRejected'].includes(e.type));
    const ends = stream.filter((e) => e.type === 'orders.OrderCancelled' || e.type === 'orders.OrderInvalidated' || e.type === 'orders.OrderRejected');
    // A confirmed order of a deleted customer becomes invalid (customer-deleted): that is its one final state.
    const deletedAfterConfirmation = decisions.length === 2 && decisions[0]!.type === 'orders.OrderConfirmed' && decisions[1]!.data.reason === 'customer-deleted';
    if ((decisions.length > 1 && !deletedAfterConfirmation) || ends.length > 1) verdict.violations.push(`order ${orderId} reached more than one final state: ${stream.map((e) => ORDER_STATUS[e.type]).join(' → ')}`);
    const confirmed = stream.find((e) => e.type === 'orders.OrderConfirmed');
    if (status === 'confirmed' && placed && confirmed) {
      const customerId = String(placed.data.customerId);
      confirmedTotals.set(customerId, (confirmedTotals.get(customerId) ?? 0) + Number(confirmed.data.totalCents));
    }
    if (confirmed) checkMail(orderId, events, observation, verdict);
  }

  const deleted = new Set(events.filter((e) => e.type === 'customers.CustomerDeleted').map((e) => String(e.data.customerId)));
  const reservations = new Map<string, Map<string, number>>(); // customer → order → amount, from customers' own events
  for (const e of events) {
    if (e.type !== 'customers.CreditReserved' && e.type !== 'customers.CreditReleased') continue;
    const held = reservations.get(String(e.data.customerId)) ?? new Map<string, number>();
    reservations.set(String(e.data.customerId), held);
    if (e.type === 'customers.CreditReserved') held.set(String(e.data.orderId), Number(e.data.amountCents));
    else held.delete(String(e.data.orderId));
  }
  const customers = events.filter((e) => e.type === 'customers.CustomerRegistered').map((e) => String(e.data.customerId));
  for (const customerId of customers) {
    if (deleted.has(customerId)) continue;
    const expected = confirmedTotals.get(customerId) ?? 0;
    const inLog = [...(reservations.get(customerId)?.values() ?? [])].reduce((a, b) => a + b, 0);
    if (inLog !== expected) verdict.violations.push(`customer ${customerId}: the log reserves ${inLog} cents, its confirmed orders total ${expected}`);
    const read = observation.customers[customerId];
    if (read !== undefined && read !== expected) verdict.violations.push(`customer ${customerId}: the read model says reservedCents ${read}, its confirmed orders total ${expected}`);
  }
}

function checkMail(orderId: string, events: readonly LoggedEvent[], observation: Observation, verdict: Verdict): void {
  const subject = `Your order ${orderId} is confirmed`;
  const records = observation.mailRecords.filter((m) => m.subject === subject);
  if (records.length !== 1) verdict.violations.push(`order ${orderId}: ${records.length} mail records for its confirmation (want 1)`);
  for (const record of records) {
    const sent = events.filter((e) => e.type === 'communications.MailSent' && e.data.mailId === record.mailId).length;
    if (record.status !== 'sent' || sent !== 1) verdict.violations.push(`order ${orderId}: its mail ${record.mailId} is ${record.status}, MailSent ×${sent} in the log (want sent, ×1)`);
  }
  // A mail delivered again with its Message-ID is one mail to a receiver that drops repeats (the README's
  // guarantee for SMTP); counted apart. Two Message-IDs for one confirmation are two mails.
  const delivered = observation.deliveries.filter((d) => d.subject === subject);
  const mails = new Set(delivered.map((d) => d.messageId)).size;
  verdict.redelivered += delivered.length - mails;
  if (mails !== 1) verdict.violations.push(`order ${orderId}: ${mails} ${observation.deliveredBy === 'files' ? 'mail files' : 'mails (Message-IDs) delivered over SMTP'} for its confirmation (want 1)`);
}

const JOB_STATUS: Record<string, string> = {
  'jobs.JobAccepted': 'accepted', 'jobs.JobValidated': 'validated', 'jobs.JobPrepared': 'prepared', 'jobs.JobScheduled': 'scheduled',
  'jobs.JobRunning': 'running', 'jobs.JobSucceeded': 'succeeded', 'jobs.JobFailed': 'failed', 'jobs.JobCompensated': 'compensated',
};

/** Every job is final or waits for a report; each pool's reserved count is the jobs that hold a slot. */
function checkJobs(events: readonly LoggedEvent[], observation: Observation, verdict: Verdict): void {
  const jobs = groupBy(events.filter((e) => e.type in JOB_STATUS), (e) => String(e.data.jobId));
  const holding = new Map<string, Set<string>>(); // type → jobs holding a slot, by their status
  for (const [jobId, stream] of jobs) {
    const status = JOB_STATUS[stream.at(-1)!.type]!;
    const type = String(stream[0]!.data.type);
    const wasScheduled = stream.some((e) => e.type === 'jobs.JobScheduled');
    const poolFull = (observation.pools[type]?.reserved ?? 0) >= (observation.pools[type]?.size ?? Infinity);
    const settled = ['succeeded', 'compensated', 'scheduled', 'running'].includes(status) || (status === 'failed' && !wasScheduled) || (status === 'prepared' && poolFull);
    if (!settled) verdict.violations.push(`job ${jobId} (${type}) is ${status}${status === 'failed' ? ' after scheduling, not compensated' : ''}`);
    // A job holds its slot from scheduled until it ends: succeeded, or compensated after a failure.
    if (status === 'scheduled' || status === 'running' || (status === 'failed' && wasScheduled)) holding.set(type, new Set([...(holding.get(type) ?? []), jobId]));
  }
  const slots = new Map<string, Set<string>>(); // type → jobs holding a slot, by the pool's events
  for (const e of events) {
    const held = slots.get(String(e.data.type)) ?? new Set<string>();
    if (e.type === 'jobs.SlotReserved') slots.set(String(e.data.type), held.add(String(e.data.jobId)));
    if (e.type === 'jobs.SlotReleased') held.delete(String(e.data.jobId));
  }
  for (const type of new Set([...holding.keys(), ...slots.keys(), ...Object.keys(observation.pools)])) {
    const byStatus = holding.get(type)?.size ?? 0;
    const byPool = slots.get(type)?.size ?? 0;
    const read = observation.pools[type]?.reserved;
    if (byPool !== byStatus || (read !== undefined && read !== byStatus)) {
      verdict.violations.push(`pool ${type}: ${byStatus} jobs hold a slot; the pool's events reserve ${byPool}, its read model ${read ?? '(not read)'}`);
    }
  }
}

/** Requests answered 500, grouped by route and detail (ids made `:id`). */
function checkInternalErrors(history: History, verdict: Verdict): void {
  const groups = groupBy(history.internalErrors ?? [], (e) => `${e.method} ${e.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id')}: ${e.detail}`);
  for (const [what, errors] of groups) verdict.violations.push(`answered 500 ×${errors.length}: ${what}`);
}

export function check(history: History, observation: Observation): Verdict {
  const verdict: Verdict = { acknowledged: 0, lost: 0, duplicated: 0, redelivered: 0, violations: [] };
  checkWrites(history.writes, observation.events, verdict);
  checkInternalErrors(history, verdict);
  checkOrders(observation.events, observation, verdict);
  checkJobs(observation.events, observation, verdict);
  for (const p of observation.projections) {
    if (p.live !== p.rebuilt) verdict.violations.push(`projection ${p.name}: its tables differ from a fresh rebuild's (checksum ${p.live.slice(0, 12)} vs ${p.rebuilt.slice(0, 12)})`);
  }
  verdict.violations.push(...observation.problems);
  return verdict;
}
