// Editing a deal as the signed-in person: a dialog over the deal board that sends the fields changed
// to PATCH /api/deals/{Id} (docs/api.md). Salesforce decides, with the person's own permissions;
// its refusal is shown in its words, with the fields it names marked. The dialog offers an input for
// each field of the board that may be edited (GET /api/edit-fields: typed and valued by Salesforce's
// describe as the person; read-only fields get none).
import {$, $$, ApiError, el, notify, session, write} from './util.js';

const dialog = $('#edit');
const form = $('#edit-form');
let deal = null;     // the deal being edited, as the board showed it
let saved = null;    // called with the deal as Salesforce now has it
let editable = [];   // the names of the fields the dialog offers

// The board's own names for its columns; other fields go by Salesforce's label.
const boardLabels = {Name: 'Name', StageName: 'Stage', CloseDate: 'Close date', Amount: 'Amount', Probability: 'Probability (%)',
  ForecastCategoryName: 'Forecast category', Type: 'Type', RecordTypeId: 'Record type', OwnerId: 'Owner'};

// Without /api/edit-fields' answer: the fields every store has, as the board shows them.
const fallback = (fs) => [{name: 'Name', type: 'text'}, {name: 'StageName', type: 'picklist'}, {name: 'CloseDate', type: 'date'},
  {name: 'Amount', type: 'number'}, {name: 'Probability', type: 'number'}]
  .concat(fs.forecast_categories ? [{name: 'ForecastCategoryName', type: 'picklist'}] : []);

// A picklist's choices: Salesforce's values, else what the store's deals hold; references: the
// people and record types the board knows.
function choices(f, ctx) {
  const fs = ctx.filters;
  if (f.name === 'OwnerId') return ctx.people.filter((p) => p.active).map((p) => [p.user_id, p.name]);
  if (f.name === 'RecordTypeId') return (fs.record_types || []).map((r) => [r.Id, r.Name]);
  const known = (f.values && f.values.length ? f.values
    : {StageName: fs.stages, ForecastCategoryName: fs.forecast_categories, Type: fs.types}[f.name]) || [];
  return known.map((v) => [v, v]);
}

function inputFor(f, ctx) {
  if (f.type === 'picklist' || f.type === 'reference') {
    const select = el('select', {name: f.name});
    for (const [v, text] of choices(f, ctx)) select.add(new Option(text, v));
    return select;
  }
  if (f.type === 'number') return el('input', {name: f.name, type: 'number', step: 'any', inputmode: 'decimal'});
  if (f.type === 'date') return el('input', {name: f.name, type: 'date'});
  if (f.type === 'checkbox') return el('input', {name: f.name, type: 'checkbox'});
  return el('input', {name: f.name, type: 'text', maxlength: f.name === 'Name' ? 120 : 255});
}

const value = (name) => {
  const input = form.elements[name];
  if (input.type === 'checkbox') return input.checked;
  if (input.type === 'number') return input.value === '' ? null : Number(input.value);
  return input.value === '' ? null : input.value;
};

// The fields the person changed: name -> new value.
function changes() {
  const out = {};
  for (const name of editable) {
    const was = form.elements[name].type === 'checkbox' ? Boolean(deal[name]) : deal[name] ?? null;
    const now = value(name);
    if (now !== was) out[name] = now;
  }
  return out;
}

function showError(message, fields) {
  const box = $('#edit-error');
  box.textContent = message || '';
  box.hidden = !message;
  for (const input of $$('input, select', form)) {
    if ((fields || []).includes(input.name)) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
}

// ctx: {filters, people, editFields} from app.js (editFields: /api/edit-fields' list, null when it failed).
export function setup(ctx) {
  const fields = ctx.editFields || fallback(ctx.filters);
  editable = fields.map((f) => f.name);
  $('#edit-fields').replaceChildren(...fields.map((f) => el('label', {'data-field': f.name, class: f.type === 'checkbox' ? 'check' : null},
    boardLabels[f.name] || f.label || f.name, ' ', inputFor(f, ctx))));
  $('#edit-close').addEventListener('click', () => dialog.close());
  $('#edit-cancel').addEventListener('click', () => dialog.close());
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    save();
  });
}

// Opens the dialog for `d`; `onSaved(answer)` runs after Salesforce accepted the change.
export function open(d, onSaved) {
  deal = d;
  saved = onSaved;
  $('#edit-title').textContent = d.Name;
  for (const name of editable) {
    const input = form.elements[name];
    if (input.type === 'checkbox') {
      input.checked = Boolean(d[name]);
      continue;
    }
    if (input.tagName === 'SELECT' && d[name] != null && ![...input.options].some((o) => o.value === d[name])) {
      input.add(new Option(d[name], d[name]));  // a value the pickers do not list: keep it choosable
    }
    input.value = d[name] ?? '';
  }
  showError(null);
  $('#edit-save').disabled = false;
  dialog.showModal();
  (form.elements.StageName || form.elements[editable[0]])?.focus();
}

async function save() {
  const fields = changes();
  if (Object.keys(fields).length === 0) {
    dialog.close();
    return;
  }
  $('#edit-save').disabled = true;
  showError(null);
  try {
    // The deal as the board showed it: Salesforce refuses (412) if it changed since, even when a
    // sync brought the change to the store meanwhile.
    const since = deal.LastModifiedDate ? {'If-Unmodified-Since': new Date(deal.LastModifiedDate).toUTCString()} : {};
    const answer = await write('PATCH', 'deals/' + encodeURIComponent(deal.Id), fields, since);
    dialog.close();
    notify(`Saved in Salesforce: ${Object.keys(fields).join(', ')} of “${answer.Name}”` +
      (answer.stored === false ? ' (the board shows it fully once the running sync ends).' : '.'));
    if (saved) saved(answer);
  } catch (e) {
    $('#edit-save').disabled = false;
    if (e instanceof ApiError && (e.code === 'NOT_SIGNED_IN' || e.code === 'SESSION_ENDED')) {
      showError(e.message + ' Reload the page to sign in.', []);
      session.signin = false;
      return;
    }
    showError(e instanceof ApiError ? e.message : String(e), e.fields);
  }
}
