// Search as one types (debounced), results grouped by object, and an opened result shown as its
// record. GET /api/search and /api/records/{Object}/{Id} (docs/api.md). Keyboard: arrows move
// through the results, Enter opens one, Escape closes the list.
import {$, api, clear, day, el, fieldLabel, report, when} from './util.js';

const box = $('#search');
const list = $('#results');
const dialog = $('#record');
const OBJECTS = {Account: 'Accounts', Contact: 'Contacts', Lead: 'Leads', Opportunity: 'Deals', User: 'People'};
let timer = null;
let controller = null;
let options = [];
let active = -1;

export function setup() {
  box.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => search(box.value).catch(report), 200);
  });
  box.addEventListener('keydown', keys);
  box.addEventListener('focus', () => { if (options.length) open(true); });
  document.addEventListener('click', (e) => { if (!e.target.closest('.search')) open(false); });
  $('#record-close').addEventListener('click', () => dialog.close());
  dialog.addEventListener('click', (e) => { if (e.target === dialog) dialog.close(); });  // the backdrop
}

function open(on) {
  list.hidden = !on;
  box.setAttribute('aria-expanded', String(on));
}

async function search(text) {
  if (controller) controller.abort();
  if (!/[\p{L}\p{N}]/u.test(text)) {  // nothing to search for yet
    options = [];
    open(false);
    return;
  }
  controller = new AbortController();
  const body = await api('search', {q: text.slice(0, 200), limit: 5}, {signal: controller.signal});
  options = [];
  active = -1;
  box.removeAttribute('aria-activedescendant');
  const groups = [];
  let current = null;
  for (const hit of body.results) {
    if (!current || current.object !== hit.object) groups.push(current = {object: hit.object, hits: []});
    current.hits.push(hit);
  }
  clear(list, groups.map((g) => el('div', {role: 'group', 'aria-label': OBJECTS[g.object] || g.object},
    el('div', {class: 'group', 'aria-hidden': 'true'}, OBJECTS[g.object] || g.object),
    g.hits.map((h) => {
      const option = el('div', {role: 'option', id: `hit-${options.length}`, 'aria-selected': 'false', dataset: {object: h.object, id: h.Id},
        onclick: () => show(h.object, h.Id).catch(report)},
      el('span', {class: 'hit-title'}, h.title || h.Id), h.snippet ? el('span', {class: 'hit-snippet'}, h.snippet) : null);
      options.push(option);
      return option;
    }))));
  if (!options.length) list.append(el('div', {class: 'none'}, `Nothing found for “${text}”.`));
  open(true);
}

function keys(e) {
  if (e.key === 'Escape') {
    open(false);
    return;
  }
  if (!options.length || list.hidden) return;
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    e.preventDefault();
    if (active >= 0) options[active].setAttribute('aria-selected', 'false');
    active = (active + (e.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length;
    options[active].setAttribute('aria-selected', 'true');
    options[active].scrollIntoView({block: 'nearest'});
    box.setAttribute('aria-activedescendant', options[active].id);
  } else if (e.key === 'Enter' && active >= 0) {
    e.preventDefault();
    options[active].click();
  }
}

function valueOf(f) {
  const v = f.value;
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (typeof v === 'number') return v.toLocaleString();
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)) return when(v);
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return day(v);
  return String(v);
}

// Shows one record in the dialog; a reference opens the record it points to.
export async function show(object, id) {
  const r = await api(`records/${encodeURIComponent(object)}/${encodeURIComponent(id)}`);
  open(false);
  $('#record-object').textContent = object === 'Opportunity' ? 'Deal' : object === 'User' ? 'Person' : object;
  $('#record-title').textContent = r.title || r.Id;
  clear($('#record-fields'), r.fields.flatMap((f) => [
    el('dt', {}, fieldLabel(f.name, Boolean(f.ref))),
    el('dd', {}, f.ref
      ? el('button', {type: 'button', onclick: () => show(f.ref.object, f.ref.Id).catch(report)}, f.ref.title || f.ref.Id)
      : valueOf(f)),
  ]));
  const link = $('#record-link');
  link.hidden = !r.url;
  if (r.url) link.href = r.url;
  if (!dialog.open) dialog.showModal();
  $('#record-close').focus();
}
