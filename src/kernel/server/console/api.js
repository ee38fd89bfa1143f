// How the console talks to the server: admin JSON endpoints, problems shown as messages, and
// every action confirmed first, with the operator's name sent along (X-Operator) for the log.

export async function get(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await res.json().catch(() => undefined);
  if (!res.ok) throw new Error(body?.detail ?? `${res.status} ${res.statusText}`);
  return body;
}

export async function text(path) {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
  return res.text();
}

export function operatorName() {
  return localStorage.getItem('seams.operator') ?? '';
}

/** Asks for confirmation (and a reason when `reason` is set); resolves the reason, or null when cancelled. */
export function confirmAction(title, description, { reason = false } = {}) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = description;
  document.getElementById('confirm-reason-label').hidden = !reason;
  const reasonInput = document.getElementById('confirm-reason');
  reasonInput.value = '';
  reasonInput.required = reason;
  const nameInput = document.getElementById('confirm-name');
  nameInput.value = operatorName();
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => {
        if (dialog.returnValue !== 'ok') return resolve(null);
        localStorage.setItem('seams.operator', nameInput.value.trim());
        showOperator();
        resolve(reasonInput.value.trim());
      },
      { once: true },
    );
  });
}

/** A confirmed POST; shows the outcome; resolves the answer's body, or undefined when cancelled or refused. */
export async function act(title, description, path, { reason = false } = {}) {
  const given = await confirmAction(title, description, { reason });
  if (given === null) return undefined;
  const headers = { 'content-type': 'application/json' };
  if (operatorName()) headers['x-operator'] = operatorName();
  const res = await fetch(path, { method: 'POST', headers, body: reason ? JSON.stringify({ reason: given }) : undefined });
  const body = await res.json().catch(() => undefined);
  if (!res.ok) {
    message(`${title}: ${body?.detail ?? res.statusText}`, true);
    return undefined;
  }
  message(`${title}: done`);
  return body ?? {};
}

export function message(text, bad = false) {
  let box = document.getElementById('message');
  if (!box) document.body.append((box = Object.assign(document.createElement('div'), { id: 'message' })));
  box.textContent = text;
  box.className = bad ? 'bad' : '';
  clearTimeout(box.timer);
  box.timer = setTimeout(() => box.remove(), 6000);
}

export function showOperator() {
  const name = operatorName();
  document.getElementById('operator').textContent = name ? `acting as ${name}` : '';
}
