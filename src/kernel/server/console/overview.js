// A live summary of /metrics (the Prometheus text the server exposes), read every two seconds:
// requests and their latency, appends and group commits, projections, processes, breakers, leases.
import { text } from './api.js';
import { el, table } from './dom.js';

export const live = true;

/** Samples of the Prometheus text format: [{ name, labels, value }]. */
export function parse(body) {
  const samples = [];
  for (const line of body.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

const sum = (samples, name, where = () => true) => samples.filter((s) => s.name === name && where(s.labels)).reduce((n, s) => n + s.value, 0);

/** The upper bound of the bucket holding quantile q of a histogram (summed over its labels). */
function quantile(samples, name, q) {
  const buckets = new Map();
  for (const s of samples.filter((x) => x.name === `${name}_bucket`)) buckets.set(s.labels.le, (buckets.get(s.labels.le) ?? 0) + s.value);
  const total = buckets.get('+Inf') ?? 0;
  if (total === 0) return undefined;
  const bounds = [...buckets.keys()].filter((le) => le !== '+Inf').map(Number).sort((a, b) => a - b);
  return bounds.find((le) => buckets.get(String(le)) >= q * total) ?? Infinity;
}

let previous;

const card = (label, value, detail = '') => el('div', { class: 'card', 'data-metric': label }, el('div', { class: 'muted' }, label), el('div', { class: 'value' }, value), el('div', { class: 'muted' }, detail));
const ms = (seconds) => (seconds === undefined ? '—' : seconds === Infinity ? '> 5 s' : `≤ ${Math.round(seconds * 1000)} ms`);

export async function render() {
  const samples = parse(await text('/metrics'));
  const now = Date.now();
  const requests = sum(samples, 'seams_http_request_duration_seconds_count');
  const rate = previous ? ((requests - previous.requests) / ((now - previous.at) / 1000)).toFixed(1) : '…';
  previous = { requests, at: now };
  const appends = sum(samples, 'seams_append_duration_seconds_count');
  const states = samples.filter((s) => s.name === 'seams_projection_state' && s.value === 1);
  const stopped = states.filter((s) => s.labels.state === 'failed' || s.labels.state === 'ahead-of-log');
  const lagging = samples.filter((s) => s.name === 'seams_projection_lag_seconds' && s.value > 1);
  const routes = new Map();
  for (const s of samples.filter((x) => x.name === 'seams_http_request_duration_seconds_count')) routes.set(`${s.labels.method} ${s.labels.route}`, (routes.get(`${s.labels.method} ${s.labels.route}`) ?? 0) + s.value);
  return el(
    'section',
    {},
    el('h1', {}, 'Overview'),
    el(
      'div',
      { class: 'summary' },
      card('requests', requests, `${rate}/s now · p50 ${ms(quantile(samples, 'seams_http_request_duration_seconds', 0.5))} · p99 ${ms(quantile(samples, 'seams_http_request_duration_seconds', 0.99))}`),
      card('appends', appends, `mean ${appends ? ((sum(samples, 'seams_append_duration_seconds_sum') / appends) * 1000).toFixed(1) : 0} ms · group commit ${sum(samples, 'seams_append_group_commit_size_count') ? (sum(samples, 'seams_append_group_commit_size_sum') / sum(samples, 'seams_append_group_commit_size_count')).toFixed(1) : 0} appends`),
      card('projections', states.length, `${stopped.length} stopped · ${lagging.length} more than 1 s behind`),
      card('process instances running', sum(samples, 'seams_process_instances', (l) => l.status === 'running' || l.status === 'compensating'), `outbox ${sum(samples, 'seams_process_outbox_depth')} waiting`),
      card('set-aside commands', sum(samples, 'seams_process_commands_set_aside'), 'waiting for an operator (processes tab)'),
      card('open breakers', samples.filter((s) => s.name === 'seams_breaker_state' && s.value === 2).length, samples.filter((s) => s.name === 'seams_breaker_state').map((s) => s.labels.module).join(', ') || 'no module asked yet'),
      card('modules led here', samples.filter((s) => s.name === 'seams_lease_holder' && s.labels.here === '1').length, samples.filter((s) => s.name === 'seams_lease_holder' && s.labels.here === '0').map((s) => `${s.labels.module} → ${s.labels.holder}`).join(', ')),
    ),
    stopped.length ? el('p', { class: 'error' }, 'Stopped: ', stopped.map((s) => el('a', { href: '#projections' }, `${s.labels.module}/${s.labels.projection} `))) : '',
    el('h2', {}, 'Requests by route'),
    table(['route', 'requests'], [...routes].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([route, n]) => el('tr', {}, el('td', {}, el('code', {}, route)), el('td', {}, n)))),
  );
}
