// Projections: position, head, lag and state; retry, skip and rebuild, with a rebuild's progress.
import { act, get } from './api.js';
import { badge, el, table } from './dom.js';

export const live = true;

function progress(p) {
  if (!p.building) return '';
  const share = p.headPosition > 0 ? Math.min(1, p.building.position / p.headPosition) : 1;
  return el('div', { class: 'rebuild', 'data-rebuild': `${p.module}/${p.projection}` }, `rebuilding v${p.building.version}: `, el('span', { class: 'progress' }, el('div', { style: `width:${Math.round(share * 100)}%` })), ` ${Math.round(share * 100)}% (${p.building.position} of ${p.headPosition})`);
}

function actions(p, redraw) {
  const path = `/admin/projections/${encodeURIComponent(p.module)}/${encodeURIComponent(p.projection)}`;
  const name = `${p.module}/${p.projection}`;
  const stopped = p.state === 'failed';
  const after = (body) => body && redraw();
  return el(
    'td',
    {},
    stopped && el('button', { 'data-action': 'retry', onclick: async () => after(await act(`Retry ${name}`, `Apply the event at position ${p.error?.position ?? '?'} again (fix its cause first).`, `${path}/retry`)) }, 'retry'),
    stopped && ' ',
    stopped && el('button', { class: 'danger', 'data-action': 'skip', onclick: async () => after(await act(`Skip the failed event of ${name}`, `The event at position ${p.error?.position ?? '?'} is passed over for good; the skip is recorded in the log.`, `${path}/skip`, { reason: true })) }, 'skip'),
    stopped && ' ',
    !p.building && el('button', { 'data-action': 'rebuild', onclick: async () => after(await act(`Rebuild ${name}`, 'Rebuilt from the log into new tables beside the serving ones, and swapped in when caught up.', `${path}/rebuild`)) }, 'rebuild'),
  );
}

export async function render(_params, redraw) {
  const rows = await get('/admin/projections');
  const stopped = rows.filter((p) => p.state === 'failed' || p.state === 'ahead-of-log').length;
  return el(
    'section',
    {},
    el('h1', {}, 'Projections'),
    el('p', { class: 'muted' }, `${rows.length} projections here; ${stopped} stopped. A stopped projection waits for an operator: retry once its cause is fixed, or skip the event.`),
    table(
      ['projection', 'position', 'head', 'lag', 'behind', 'state', ''],
      rows.map((p) =>
        el(
          'tr',
          { 'data-projection': `${p.module}/${p.projection}`, 'data-state': p.state },
          el('td', {}, el('strong', {}, `${p.module}/${p.projection}`), el('div', { class: 'muted' }, `v${p.version}, generation ${p.generation}`), p.error && el('div', { class: 'error' }, `at position ${p.error.position ?? '?'}: ${p.error.message}`), progress(p)),
          el('td', {}, p.position),
          el('td', {}, p.headPosition),
          el('td', {}, p.lag),
          el('td', {}, p.lagSeconds ? `${p.lagSeconds.toFixed(1)} s` : '0 s'),
          el('td', {}, badge(p.state)),
          actions(p, redraw),
        ),
      ),
    ),
  );
}
