// Streams and events: search by stream, type or correlation id (secret fields come redacted);
// a correlation id shows the whole conversation in order: request, events, the commands
// processes sent because of each event.
import { get } from './api.js';
import { conversationLink, el, json, table, when } from './dom.js';

function search(params) {
  const go = (event) => {
    event.preventDefault();
    location.hash = `events?${new URLSearchParams([...new FormData(event.target)].filter(([, v]) => v))}`;
  };
  const field = (name, placeholder, size) => el('input', { name, placeholder, size, value: params.get(name) ?? '' });
  return el('form', { class: 'search', onsubmit: go }, field('stream', 'stream (orders.order-…)', 30), field('type', 'event type (orders.OrderPlaced)', 28), field('correlation', 'correlation id (a request id)', 38), el('button', {}, 'search'));
}

const eventRow = (e) =>
  el(
    'tr',
    { 'data-event': e.id },
    el('td', {}, e.position),
    el('td', {}, el('code', {}, e.type), el('div', { class: 'muted' }, e.stream, ` · rev ${e.revision}`)),
    el('td', {}, conversationLink(e.metadata.correlationId), el('div', { class: 'muted' }, e.metadata.actor ?? '')),
    el('td', {}, when(e.recordedAt)),
    el('td', {}, el('details', {}, el('summary', {}, 'data'), el('div', {}, json(e.data), json(e.metadata)))),
  );

function entry(x) {
  if (x.kind === 'request') return el('li', { class: 'request' }, el('strong', {}, 'HTTP request '), el('code', {}, x.correlationId));
  if (x.kind === 'event') return el('li', { class: 'event', 'data-kind': 'event' }, el('strong', {}, x.type), ` in ${x.stream} at ${x.position}`, el('span', { class: 'muted' }, ` · by ${x.metadata.actor ?? 'anonymous'} · ${when(x.recordedAt)}`), el('details', {}, el('summary', {}, 'data'), el('div', {}, json(x.data))));
  return el(
    'li',
    { class: 'command', 'data-kind': 'command' },
    '→ ',
    el('strong', {}, x.command),
    ` sent by ${x.type} `,
    el('a', { href: `#processes?type=${x.type}&id=${x.instance}` }, x.instance),
    ' — ',
    el('span', { class: `badge ${x.status}` }, x.status),
    ` after ${x.attempts} attempt(s)`,
    x.lastError ? el('div', { class: 'error' }, x.lastError) : '',
  );
}

export async function render(params) {
  const stream = params.get('stream');
  const correlation = params.get('correlation');
  const type = params.get('type');
  let results;
  if (stream) {
    const found = await get(`/admin/streams/${encodeURIComponent(stream)}?limit=500`).catch((error) => ({ events: [], error }));
    results = found.error ? el('p', { class: 'muted' }, found.error.message) : table(['position', 'event', 'conversation', 'at', ''], found.events.map(eventRow));
  } else if (correlation) {
    const found = await get(`/admin/events?correlation=${encodeURIComponent(correlation)}&limit=1000`);
    results = el('div', {}, el('h2', {}, 'Conversation ', el('code', {}, correlation)), el('p', { class: 'muted' }, 'In order: the request, each event, and under it the commands processes sent because of it.'), el('ol', { class: 'timeline' }, found.conversation.map(entry)));
  } else {
    const query = new URLSearchParams({ limit: '100', after: String(Math.max(0, Number(params.get('after') ?? 0))) });
    if (type) query.set('type', type);
    const found = await get(`/admin/events?${query}`);
    results = table(['position', 'event', 'conversation', 'at', ''], found.events.map(eventRow));
  }
  return el('section', {}, el('h1', {}, 'Events'), search(params), el('div', { 'data-results': true }, results));
}
