// The console: one view per tab (location.hash: `#<view>?<params>`). Views marked `live`
// (overview, projections) are redrawn every two seconds, not while a dialog is open; the others
// when their search changes or after an action.
import { message, showOperator } from './api.js';
import * as events from './events.js';
import * as modules from './modules.js';
import * as overview from './overview.js';
import * as processes from './processes.js';
import * as projections from './projections.js';

const views = { overview, projections, processes, events, modules };
const view = document.getElementById('view');
let drawing = false;

function route() {
  const [name, query] = location.hash.slice(1).split('?');
  return { name: views[name] ? name : 'overview', params: new URLSearchParams(query ?? '') };
}

async function draw() {
  if (drawing || document.getElementById('confirm').open) return;
  drawing = true;
  const { name, params } = route();
  try {
    for (const a of document.querySelectorAll('#tabs a')) a.classList.toggle('here', a.getAttribute('href') === `#${name}`);
    view.replaceChildren(await views[name].render(params, draw));
    view.dataset.view = name;
  } catch (error) {
    message(error.message, true);
  } finally {
    drawing = false;
  }
}

window.addEventListener('hashchange', () => {
  document.getElementById('message')?.remove();
  view.replaceChildren();
  draw();
});
showOperator();
draw();
setInterval(() => {
  if (views[route().name].live) draw();
}, 2000);
