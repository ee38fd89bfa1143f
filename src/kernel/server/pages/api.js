// Renders /openapi.json as a page: one section per tag (module), one row per operation, with
// its parameters, request body and answers (schemas shown as JSON). No build step, no library.
const el = (tag, attributes = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children.filter((c) => c !== undefined && c !== null));
  return node;
};
const json = (value) => el('pre', {}, JSON.stringify(value, null, 2));

function operation(path, method, op) {
  const details = el('details', { 'data-operation': `${method.toUpperCase()} ${path}` });
  details.append(el('summary', {}, el('span', { class: `method ${method}` }, method.toUpperCase()), el('code', {}, path), ' — ', op.summary ?? ''));
  const body = el('div');
  if (op.parameters?.length) {
    const rows = op.parameters.map((p) => el('tr', {}, el('td', {}, el('code', {}, p.name)), el('td', {}, p.in), el('td', {}, p.required ? 'required' : 'optional'), el('td', {}, el('code', {}, JSON.stringify(p.schema ?? {})))));
    body.append(el('h4', {}, 'Parameters'), el('table', {}, el('tr', {}, el('th', {}, 'name'), el('th', {}, 'in'), el('th', {}, ''), el('th', {}, 'schema')), ...rows));
  }
  const request = op.requestBody?.content?.['application/json']?.schema;
  if (request) body.append(el('h4', {}, 'Request body'), json(request));
  for (const [status, response] of Object.entries(op.responses ?? {})) {
    const schema = response.content?.['application/json']?.schema ?? response.content?.['application/problem+json']?.schema;
    body.append(el('h4', {}, `${status} ${response.description ?? ''}`), schema ? json(schema) : el('p', { class: 'muted' }, 'no body'));
  }
  details.append(body);
  return details;
}

async function render() {
  const root = document.getElementById('api');
  const doc = await (await fetch('/openapi.json')).json();
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      const tag = op.tags?.[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operation(path, method, op)]);
    }
  }
  root.replaceChildren(el('p', {}, `${doc.info?.title ?? 'API'} ${doc.info?.version ?? ''}`), ...[...byTag].map(([tag, ops]) => el('section', { id: tag }, el('h2', {}, tag), ...ops)));
}

render().catch((error) => (document.getElementById('api').textContent = `Could not read /openapi.json: ${error.message}`));
