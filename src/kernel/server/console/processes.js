// Process instances (by type, status or id) with their commands, timers and state; the commands
// processes set aside, each with resubmit.
import { act, get } from './api.js';
import { badge, conversationLink, el, json, table, when } from './dom.js';

const STATUSES = ['', 'running', 'compensating', 'completed', 'failed', 'compensated'];

function search(params) {
  const go = (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const query = new URLSearchParams([...form].filter(([, v]) => v));
    location.hash = `processes?${query}`;
  };
  return el(
    'form',
    { class: 'search', onsubmit: go },
    el('input', { name: 'type', placeholder: 'process type', value: params.get('type') ?? '' }),
    el('select', { name: 'status' }, STATUSES.map((s) => el('option', { value: s, selected: s === (params.get('status') ?? '') }, s || 'any status'))),
    el('input', { name: 'id', placeholder: 'instance id (e.g. an order id)', size: 40, value: params.get('id') ?? '' }),
    el('button', {}, 'show'),
  );
}

function resubmit(c, redraw) {
  const path = `/admin/processes/${encodeURIComponent(c.type)}/${encodeURIComponent(c.instance)}/commands/${encodeURIComponent(c.commandId)}/resubmit`;
  return el('button', { 'data-action': 'resubmit', onclick: async () => (await act(`Resubmit ${c.command}`, `Deliver it again under its own id ${c.commandId} (it still acts at most once). Last error: ${c.lastError ?? 'none'}`, path)) && redraw() }, 'resubmit');
}

async function detail(type, id, redraw) {
  const i = await get(`/admin/processes/${encodeURIComponent(type)}/${encodeURIComponent(id)}`);
  const commands = i.commands.map((c) => ({ ...c, command: c.type, type, instance: id }));
  return el(
    'section',
    { 'data-instance': `${type}/${id}` },
    el('h2', {}, `${type} ${id} `, badge(i.status)),
    el('p', {}, el('strong', {}, 'step: '), i.step ?? '—', i.nextWakeAt ? el('span', { class: 'muted' }, ` · next wake-up ${when(i.nextWakeAt)}`) : ''),
    el('h3', {}, 'Commands it sent'),
    table(
      ['command', 'status', 'attempts', 'last error', 'conversation', ''],
      commands.map((c) => el('tr', { 'data-command': c.commandId }, el('td', {}, el('code', {}, c.command), el('div', { class: 'muted' }, c.purpose)), el('td', {}, badge(c.status)), el('td', {}, c.attempts), el('td', { class: 'error' }, c.lastError ?? ''), el('td', {}, conversationLink(c.correlationId)), el('td', {}, c.status === 'failed' && resubmit(c, redraw)))),
    ),
    el('h3', {}, 'Timers'),
    i.timers.length ? table(['name', 'due'], i.timers.map((t) => el('tr', {}, el('td', {}, t.name), el('td', {}, when(t.dueAt))))) : el('p', { class: 'muted' }, 'none'),
    el('h3', {}, 'State'),
    json(i.state),
    el('h3', {}, 'Remembered steps (undone in reverse order on compensation)'),
    json(i.completedSteps),
  );
}

export async function render(params, redraw) {
  const type = params.get('type') ?? '';
  const id = params.get('id') ?? '';
  const query = new URLSearchParams([...params].filter(([k, v]) => v && k !== 'id'));
  const [{ processes }, { commands }] = await Promise.all([get(`/admin/processes?${query}`), get('/admin/set-aside-commands')]);
  const shown = id ? processes.filter((p) => p.id === id || p.id.startsWith(id)) : processes;
  const only = id && type ? await detail(type, id, redraw).catch(() => null) : shown.length === 1 && id ? await detail(shown[0].type, shown[0].id, redraw) : null;
  return el(
    'section',
    {},
    el('h1', {}, 'Processes'),
    search(params),
    only,
    el('h2', {}, 'Set-aside commands'),
    commands.length
      ? table(['process', 'instance', 'command', 'attempts', 'last error', ''], commands.map((c) => el('tr', { 'data-set-aside': c.commandId }, el('td', {}, c.type), el('td', {}, el('a', { href: `#processes?type=${c.type}&id=${c.instance}` }, c.instance)), el('td', {}, el('code', {}, c.command)), el('td', {}, c.attempts), el('td', { class: 'error' }, c.lastError ?? ''), el('td', {}, resubmit(c, redraw)))))
      : el('p', { class: 'muted' }, 'none: every command was delivered or is still being tried'),
    el('h2', {}, `Instances (${shown.length})`),
    table(
      ['type', 'id', 'status', 'step', 'attempts', 'next wake-up', 'updated'],
      shown.map((p) => el('tr', { 'data-id': p.id }, el('td', {}, p.type), el('td', {}, el('a', { href: `#processes?type=${p.type}&id=${p.id}` }, p.id)), el('td', {}, badge(p.status)), el('td', {}, p.step ?? ''), el('td', {}, p.attempts), el('td', {}, when(p.nextWakeAt)), el('td', {}, when(p.updatedAt)))),
    ),
  );
}
