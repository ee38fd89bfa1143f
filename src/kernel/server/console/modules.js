// The module graph: who publishes and consumes which events, who sends commands to whom, who
// asks whom (a breaker between them), drawn and listed.
import { get } from './api.js';
import { el } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const svg = (tag, attributes = {}, text) => {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
};
const COLORS = { events: '#2457c5', send: '#a15c00', query: '#b3261e' };

function graph(modules) {
  const size = 520;
  const r = 200;
  const at = new Map(modules.map((m, i) => [m.module, { x: size / 2 + r * Math.cos((2 * Math.PI * i) / modules.length - Math.PI / 2), y: size / 2 + r * Math.sin((2 * Math.PI * i) / modules.length - Math.PI / 2) }]));
  const edges = [];
  for (const m of modules) {
    for (const owner of new Set(m.consumes.map((t) => t.split('.')[0]))) edges.push({ from: owner, to: m.module, kind: 'events' });
    for (const owner of new Set(m.sends.map((t) => t.split('.')[0]))) edges.push({ from: m.module, to: owner, kind: 'send' });
    for (const owner of new Set(m.asks.map((t) => t.split('.')[0]))) edges.push({ from: m.module, to: owner, kind: 'query' });
  }
  const root = svg('svg', { width: size, height: size, viewBox: `0 0 ${size} ${size}`, role: 'img', 'aria-label': 'module graph' });
  const defs = svg('defs');
  for (const [kind, color] of Object.entries(COLORS)) {
    const marker = svg('marker', { id: `arrow-${kind}`, viewBox: '0 0 10 10', refX: 38, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' });
    marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: color }));
    defs.append(marker);
  }
  root.append(defs);
  for (const e of edges) {
    const a = at.get(e.from);
    const b = at.get(e.to);
    if (!a || !b) continue;
    root.append(svg('line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: COLORS[e.kind], 'stroke-width': 1.5, 'stroke-dasharray': e.kind === 'send' ? '5 3' : e.kind === 'query' ? '2 2' : '', 'marker-end': `url(#arrow-${e.kind})` }));
  }
  for (const m of modules) {
    const { x, y } = at.get(m.module);
    root.append(svg('circle', { cx: x, cy: y, r: 34, fill: m.runsHere ? '#fff' : '#eef1f5', stroke: '#1d2330' }), svg('text', { x, y: y + 4, 'text-anchor': 'middle' }, m.module));
  }
  return root;
}

const list = (items) => (items.length ? items.map((t) => el('div', {}, el('code', {}, t))) : el('span', { class: 'muted' }, '—'));

export async function render() {
  const { modules } = await get('/admin/modules');
  const legend = Object.entries({ 'events (publisher → consumer)': 'events', 'sends a command': 'send', 'asks a query (behind a breaker)': 'query' }).map(([label, kind]) => el('span', { style: `color:${COLORS[kind]};margin-right:1rem` }, `— ${label}`));
  return el(
    'section',
    {},
    el('h1', {}, 'Modules'),
    el('p', {}, legend, el('span', { class: 'muted' }, 'grey: runs in another process')),
    graph(modules),
    el('table', {}, el('tr', {}, ['module', 'publishes', 'consumes', 'sends', 'asks', 'handles'].map((h) => el('th', {}, h))), modules.map((m) => el('tr', { 'data-module': m.module }, el('td', {}, el('strong', {}, m.module)), el('td', {}, list(m.publishes)), el('td', {}, list(m.consumes)), el('td', {}, list(m.sends)), el('td', {}, list(m.asks)), el('td', {}, list([...m.commands, ...m.queries]))))),
  );
}
