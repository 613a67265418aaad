// Helpers shared by the boards: the API call, DOM building (text only: a value from the store is
// never parsed as HTML), number and date formats, the notice, charts, periods.
export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

// el('a', {href, class: 'x'}, 'text', child, ...): an element whose children are text or elements.
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export function clear(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c != null));
  return node;
}

// A link to the record in Salesforce (a new tab), or plain text when the store gives no url.
export function recordLink(text, url) {
  return url ? el('a', {href: url, target: '_blank', rel: 'noopener noreferrer'}, text) : el('span', {}, text);
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// GET /api/<path>; the JSON answer, or an ApiError carrying the server's words.
export async function api(path, params, options = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    for (const item of Array.isArray(v) ? v : [v]) if (item !== '' && item != null) q.append(k, item);
  }
  let res;
  try {
    res = await fetch('/api/' + path + (q.toString() ? '?' + q : ''), {signal: options.signal, headers: {Accept: 'application/json'}});
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'UNREACHABLE', 'The server did not answer: is crmsync serve still running? Start it again, then reload this page.');
  }
  return answerOf(res);
}

// An API answer's JSON body, or an ApiError with the server's words and the fields it names.
async function answerOf(res) {
  let body = null;
  try {
    body = await res.json();
  } catch (e) {
    body = null;
  }
  if (!res.ok) {
    const err = body && body.error;
    const e = new ApiError(res.status, err ? err.code : 'HTTP_' + res.status,
      err ? err.message : `The server answered HTTP ${res.status} without an explanation.`);
    e.fields = (err && err.fields) || [];
    throw e;
  }
  return body;
}

// The signed-in person (GET /api/session): {signin, user_id, name, csrf_token, ...}.
export const session = {signin: false};

// A write to /api/<path> (PATCH, POST) with the session's anti-forgery token; the JSON answer, or an
// ApiError carrying the server's words and the fields Salesforce named (error.fields). `headers`: more
// request headers (an edit's If-Unmodified-Since).
export async function write(method, path, body, headers = {}) {
  let res;
  try {
    res = await fetch(path.startsWith('/') ? path : '/api/' + path, {method, body: body == null ? undefined : JSON.stringify(body),
      headers: {Accept: 'application/json', 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf_token || '',
        ...headers}});
  } catch (e) {
    throw new ApiError(0, 'UNREACHABLE', 'The server did not answer: is crmsync serve still running?');
  }
  return answerOf(res);
}

// The notice under the header: the server's words, `code` spans shown as code.
export function notify(message) {
  const box = $('#notice');
  if (!message) {
    box.hidden = true;
    clear(box);
    return;
  }
  const parts = String(message).split('`');
  clear(box, parts.map((p, i) => (i % 2 ? el('code', {}, p) : p)));
  box.hidden = false;
}

// Shows what went wrong instead of the board; AbortError (a newer request replaced this one) says nothing.
export function report(e) {
  if (e && e.name === 'AbortError') return;
  notify(e instanceof ApiError ? e.message : 'Something went wrong on this page: ' + (e && e.message ? e.message : e));
  if (!(e instanceof ApiError)) console.warn(e);
}

// ---- numbers and dates ---------------------------------------------------------------------------

let currency = null;
let moneyFormat = new Intl.NumberFormat(undefined, {maximumFractionDigits: 0});
let compactFormat = new Intl.NumberFormat(undefined, {notation: 'compact', maximumFractionDigits: 1});
const countFormat = new Intl.NumberFormat(undefined);

// Amounts are in the corporate currency; a single-currency org's code is not in the store, so its
// amounts are plain numbers.
export function setCurrency(code) {
  if (!code || code === currency) return;
  currency = code;
  try {
    moneyFormat = new Intl.NumberFormat(undefined, {style: 'currency', currency: code, maximumFractionDigits: 0});
    compactFormat = new Intl.NumberFormat(undefined, {style: 'currency', currency: code, notation: 'compact', maximumFractionDigits: 1});
  } catch (e) {
    currency = null;  // not an ISO code Intl knows: plain numbers
  }
}
export const money = (v) => (v == null ? '' : moneyFormat.format(v));
export const compactMoney = (v) => (v == null ? '' : compactFormat.format(v));
export const count = (v) => (v == null ? '' : countFormat.format(v));
export const plural = (n, one, many) => `${count(n)} ${n === 1 ? one : many || one + 's'}`;

const dayFormat = new Intl.DateTimeFormat(undefined, {day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC'});
const monthFormat = new Intl.DateTimeFormat(undefined, {month: 'long', year: 'numeric', timeZone: 'UTC'});
const timeFormat = new Intl.DateTimeFormat(undefined, {dateStyle: 'medium', timeStyle: 'short'});
const asDate = (ymd) => new Date(ymd.slice(0, 10) + 'T00:00:00Z');
export const day = (ymd) => (ymd ? dayFormat.format(asDate(ymd)) : '');
export const when = (iso) => (iso ? timeFormat.format(new Date(iso)) : '');
export const monthName = (ym) => monthFormat.format(asDate(ym + '-01'));

// 'YYYY-MM-DD' arithmetic in UTC.
export function addDays(ymd, n) {
  const d = asDate(ymd);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
export function addMonths(ymd, n) {
  const d = asDate(ymd);
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + n);
  return d.toISOString().slice(0, 10);
}
export const today = () => new Date().toISOString().slice(0, 10);

// Fiscal quarters around `thisQuarter` ({from, to, label: 'YYYY-Qn'}) covering [first, last] (the
// stored deals' close dates) and at least the year around this one; newest first.
export function quarters(thisQuarter, first, last) {
  const [fy, q] = thisQuarter.label.split('-Q').map(Number);
  const base = fy * 4 + q - 1;
  const quarterAt = (k) => {
    const index = base + k;
    const from = addMonths(thisQuarter.from, 3 * k);
    return {label: `${Math.floor(index / 4)}-Q${(index % 4) + 1}`, from, to: addDays(addMonths(from, 3), -1), offset: k};
  };
  const list = [quarterAt(0)];
  for (let k = -1; k > -80 && (k >= -4 || (first && quarterAt(k).to >= first)); --k) list.push(quarterAt(k));
  for (let k = 1; k < 40 && (k <= 1 || (last && quarterAt(k).from <= last)); ++k) list.unshift(quarterAt(k));
  return list;
}

// Calendar months 'YYYY-MM' from `first` to `last` (dates), newest first.
export function months(first, last) {
  const out = [];
  for (let m = last.slice(0, 7) + '-01'; m >= first.slice(0, 7) + '-01' && out.length < 240; m = addMonths(m, -1)) out.push(m.slice(0, 7));
  return out;
}

// An API field name in words: MailingCity -> Mailing City, Region__c -> Region, AccountId (a reference) -> Account.
export function fieldLabel(name, isReference) {
  let n = name.replace(/__c$/, '').replace(/_/g, ' ');
  if (isReference) n = n.replace(/Id$/, '');
  return n.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z])([A-Z][a-z])/g, '$1 $2').trim();
}

// ---- charts (Debian's Chart.js, embedded) --------------------------------------------------------

const charts = {};
export const palette = {won: '#2e844a', commit: '#0b5cab', best: '#6f42c1', pipe: '#8a96a8', lost: '#c3c9d3', open: '#3d8fd9'};

export function chart(canvas, config) {
  if (!window.Chart) return;  // the page still works without its charts
  if (charts[canvas.id]) charts[canvas.id].destroy();
  window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  window.Chart.defaults.color = '#5a6577';
  charts[canvas.id] = new window.Chart(canvas, config);
}

export const moneyAxis = {beginAtZero: true, ticks: {callback: (v) => compactMoney(v)}, grid: {color: '#eef1f5'}};
export const moneyTooltip = {callbacks: {label: (c) => `${c.dataset.label}: ${money(c.parsed.y ?? c.parsed.x)}`}};

// ---- people --------------------------------------------------------------------------------------

// Fills a <select> with the role hierarchy from /api/people, indented, each person under whom they roll up to.
export function fillPeople(select, people) {
  const byId = new Map(people.map((p) => [p.user_id, p]));
  const byName = (a, b) => a.name.localeCompare(b.name);
  const add = (p, depth) => {
    const label = '\u2003'.repeat(depth) + p.name + (p.role ? ` · ${p.role}` : '') + (p.active ? '' : ' (inactive)');
    select.add(new Option(label, p.user_id));
    p.reports.map((id) => byId.get(id)).filter(Boolean).sort(byName).forEach((r) => add(r, depth + 1));
  };
  people.filter((p) => !p.manager_id || !byId.has(p.manager_id)).sort(byName).forEach((p) => add(p, 0));
}
