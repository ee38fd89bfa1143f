// A few helpers to build the console's markup without a framework.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? '' : value);
  }
  node.append(...children.flat().filter((c) => c !== undefined && c !== null && c !== false).map((c) => (typeof c === 'number' ? String(c) : c)));
  return node;
}

export const badge = (state) => el('span', { class: `badge ${state}` }, state);

export function table(headers, rows, attributes = {}) {
  return el('table', attributes, el('tr', {}, headers.map((h) => el('th', {}, h))), rows);
}

export const json = (value) => el('pre', {}, JSON.stringify(value, null, 2));

export const when = (iso) => (iso ? new Date(iso).toLocaleString() : '');

/** A link to the conversation (every event and command of one correlation id) in the events view. */
export const conversationLink = (id) => (id ? el('a', { href: `#events?correlation=${encodeURIComponent(id)}`, title: 'the whole conversation' }, id.length > 13 ? `${id.slice(0, 8)}…` : id) : '');
