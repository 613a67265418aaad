// The boards' page: plain DOM over the JSON API (docs/api.md), no framework; Chart.js is Debian's,
// embedded in the binary. Every value from the store is inserted as text, never as HTML. This file
// starts the page: the store's status, the pickers' choices, then the board the address names
// (#deals, #forecast, #changes). Each board lives in its own module.
import * as changes from './changes.js';
import * as deals from './deals.js';
import * as forecast from './forecast.js';
import * as search from './search.js';
import {$, $$, ApiError, api, fillPeople, notify, plural, report, session, setCurrency, when, write} from './util.js';

const boards = {deals, forecast, changes};
const loaded = new Set();

function show(view, focus) {
  if (!boards[view]) view = 'deals';
  for (const b of $$('nav button')) {
    if (b.dataset.view === view) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  }
  for (const s of $$('main > section')) s.hidden = s.id !== view;
  if (focus) $('#main').focus();
  if (loaded.has(view)) return Promise.resolve();
  loaded.add(view);
  return boards[view].load().catch((e) => {
    loaded.delete(view);
    report(e);
  });
}

function statusLine(status) {
  const times = status.objects.map((o) => o.last_success).filter(Boolean).sort();
  const failed = status.objects.filter((o) => o.last_error);
  $('#status').textContent = (status.instance_url ? `Org ${status.instance_url} · ` : '') +
    `store: ${plural(status.objects.length, 'object')} synced` +
    (times.length ? `, last sync ${when(times[times.length - 1])}` : '') +
    (failed.length ? ` · the last run of ${failed.map((o) => o.object).join(', ')} failed (crmsync status says why)` : '') + '.';
}

// Nothing synced yet: the page says what to run instead of showing empty boards.
function noSync(message) {
  for (const s of $$('main > section')) s.hidden = true;
  notify(message || 'Nothing is synced yet: run `crmsync sync --config crmsync.toml`, then reload this page.');
  $('#status').textContent = 'No sync has run into this store yet.';
}

// With sign-in (docs/api.md, "Sign-in"): who is signed in and a way out; without a session, the
// sign-in page instead of the boards. Without sign-in configured, nothing changes.
async function signIn() {
  try {
    Object.assign(session, await api('session'));
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 'NOT_SIGNED_IN') throw e;
    for (const s of $$('main > section')) s.hidden = s.id !== 'signin';
    for (const n of $$('header nav, header .search')) n.hidden = true;
    $('#status').textContent = 'Sign in with your Salesforce account to see the deals your role gives you.';
    document.body.dataset.ready = 'signin';
    return false;
  }
  if (session.signin) {
    $('#account-name').textContent = `Signed in as ${session.name}`;
    $('#account').hidden = false;
    $('#sign-out').addEventListener('click', () => write('POST', '/auth/logout').then(() => location.reload()).catch(report));
  }
  return true;
}

async function start() {
  if (!await signIn()) return;
  search.setup();
  let status;
  let filters;
  let people;
  let editFields = null;
  try {
    // The edit dialog's fields come from Salesforce as the person; without them it offers the basic ones.
    [status, filters, people, editFields] = await Promise.all([api('status'), api('filters'), api('people'),
      session.signin ? api('edit-fields').then((a) => a.fields, () => null) : null]);
  } catch (e) {
    if (e instanceof ApiError && e.code === 'NO_SYNC') return noSync(e.message);
    for (const s of $$('main > section')) s.hidden = true;
    return report(e);
  }
  if (!status.synced) return noSync(status.message);
  statusLine(status);
  setCurrency(filters.currency);
  const ctx = {filters, people: people.people, peopleById: new Map(people.people.map((p) => [p.user_id, p])), editFields};
  for (const select of $$('select[name=person]')) {
    if (session.signin && !session.admin) select.options[0].text = 'All I may see';
    fillPeople(select, ctx.people);
  }
  deals.setup(ctx);
  forecast.setup(ctx);
  changes.setup(ctx);
  for (const b of $$('nav button')) {
    b.addEventListener('click', () => {
      history.replaceState(null, '', '#' + b.dataset.view);
      show(b.dataset.view, true);
    });
  }
  window.addEventListener('hashchange', () => show(location.hash.slice(1)));
  await show(location.hash.slice(1) || 'deals');
  performance.mark('crmsync:board-rendered');  // the browser test prints navigation -> first board
  document.body.dataset.ready = 'true';
}

start().catch(report);
