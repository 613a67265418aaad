// Editing a deal as the signed-in person: a dialog over the deal board that sends the fields changed
// to PATCH /api/deals/{Id} (docs/api.md). Salesforce decides, with the person's own permissions;
// its refusal is shown in its words, with the fields it names marked.
import {$, $$, ApiError, notify, session, write} from './util.js';

const dialog = $('#edit');
const form = $('#edit-form');
let deal = null;     // the deal being edited, as the board showed it
let saved = null;    // called with the deal as Salesforce now has it
let editable = [];   // the fields this store lets the board edit

const value = (name) => {
  const input = form.elements[name];
  if (input.type === 'number') return input.value === '' ? null : Number(input.value);
  return input.value === '' ? null : input.value;
};

// The fields the person changed: name -> new value.
function changes() {
  const out = {};
  for (const name of editable) {
    const was = deal[name] ?? null;
    const now = value(name);
    if (now !== was && !(typeof was === 'number' && now === was)) out[name] = now;
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

// ctx: {filters} from app.js. The stage and forecast category lists are the store's own.
export function setup(ctx) {
  const fs = ctx.filters;
  for (const s of fs.stages) form.StageName.add(new Option(s, s));
  for (const c of fs.forecast_categories || []) form.ForecastCategoryName.add(new Option(c, c));
  editable = ['Name', 'StageName', 'CloseDate', 'Amount', 'Probability'];
  if (fs.forecast_categories) editable.push('ForecastCategoryName');
  if ((fs.deal_columns || []).includes('NextStep')) editable.push('NextStep');
  for (const label of $$('label[data-field]', form)) label.hidden = !editable.includes(label.dataset.field);
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
    if (input.tagName === 'SELECT' && d[name] != null && ![...input.options].some((o) => o.value === d[name])) {
      input.add(new Option(d[name], d[name]));  // a value the pickers do not list: keep it choosable
    }
    input.value = d[name] ?? '';
  }
  showError(null);
  $('#edit-save').disabled = false;
  dialog.showModal();
  form.StageName.focus();
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
