// The boards' page: plain DOM over the JSON API (docs/api.md). Every value is inserted as text,
// never as HTML. The page helper extends this file; keep it dependency-free besides Chart.js.
'use strict';
const $ = (sel) => document.querySelector(sel);
const money = (v) => v == null ? '' : Number(v).toLocaleString(undefined, {maximumFractionDigits: 0});
const charts = {};

async function api(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== '' && v != null) q.append(k, v);
  const res = await fetch('/api/' + path + (q.toString() ? '?' + q : ''));
  const body = await res.json();
  const notice = $('#notice');
  if (!res.ok) {
    notice.hidden = false;
    notice.textContent = body.error ? body.error.message : 'The server answered ' + res.status;
    throw new Error(notice.textContent);
  }
  notice.hidden = true;
  return body;
}

function cell(row, text, cls) {
  const td = row.insertCell();
  td.textContent = text == null ? '' : String(text);
  if (cls) td.className = cls;
  return td;
}

function link(text, url) {
  const a = document.createElement('a');
  a.textContent = text;
  if (url) a.href = url;
  return a;
}

function chart(id, config) {
  if (!window.Chart) return;
  if (charts[id]) charts[id].destroy();
  charts[id] = new window.Chart($('#' + id), config);
}

const dealColumns = [['Name', 'Deal'], ['AccountName', 'Account'], ['OwnerName', 'Owner'], ['Amount', 'Amount', 'num'],
  ['attributed_amount', 'Attributed', 'num'], ['StageName', 'Stage'], ['CloseDate', 'Close'], ['ForecastCategoryName', 'Forecast'],
  ['days_in_stage', 'Days in stage', 'num'], ['days_since_activity', 'Days since activity', 'num'], ['calls', 'Calls', 'num'],
  ['meetings', 'Meetings', 'num']];
let dealSort = 'CloseDate';

async function loadDeals() {
  const f = new FormData($('#deal-filters'));
  const body = await api('deals', {from: f.get('from'), to: f.get('to'), person: f.get('person'), stage: f.get('stage'), sort: dealSort});
  const head = $('#deal-table thead');
  head.textContent = '';
  const hr = head.insertRow();
  for (const [key, label, cls] of dealColumns) {
    const th = document.createElement('th');
    th.textContent = label;
    if (cls) th.className = cls;
    th.onclick = () => { dealSort = dealSort === key ? '-' + key : key; loadDeals(); };
    hr.appendChild(th);
  }
  const tbody = $('#deal-table tbody');
  tbody.textContent = '';
  for (const d of body.deals) {
    const r = tbody.insertRow();
    r.insertCell().appendChild(link(d.Name, d.url));
    for (const [key, , cls] of dealColumns.slice(1)) cell(r, cls === 'num' && key.includes('mount') ? money(d[key]) : d[key], cls);
  }
  const t = body.totals;
  $('#deal-totals').textContent = `${t.count} deals, ${money(t.amount)} in all, ${money(t.attributed_amount)} attributed` +
    (body.currency ? ' (' + body.currency + ')' : '');
  const stageSelect = $('#deal-filters [name=stage]');
  const stages = Object.keys(t.by_stage);
  if (stageSelect.options.length === 1) for (const s of stages) stageSelect.add(new Option(s, s));
  chart('stage-chart', {type: 'bar', data: {labels: stages, datasets: [{label: 'Amount by stage', data: stages.map((s) => t.by_stage[s].amount)}]}});
}

function forecastRows(tbody, row, depth) {
  const r = tbody.insertRow();
  cell(r, '\u00a0'.repeat(depth * 4) + row.name);
  for (const k of ['closed_won', 'commit', 'best_case', 'pipeline']) cell(r, money(row[k]), 'num');
  for (const c of row.children) forecastRows(tbody, c, depth + 1);
}

async function loadForecast() {
  const f = new FormData($('#forecast-filters'));
  const body = await api('forecast', {period: f.get('period')});
  const tbody = $('#forecast-table tbody');
  tbody.textContent = '';
  for (const row of body.rows) forecastRows(tbody, row, 0);
  const t = body.total;
  $('#forecast-total').textContent = `${body.period}: Closed Won ${money(t.closed_won)}, Commit ${money(t.commit)}, ` +
    `Best Case ${money(t.best_case)}, Pipeline ${money(t.pipeline)}`;
  const labels = body.rows.map((r) => r.name);
  chart('forecast-chart', {type: 'bar', data: {labels, datasets: ['closed_won', 'commit', 'best_case', 'pipeline'].map((k) =>
    ({label: k, data: body.rows.map((r) => r[k])}))}});
}

async function loadChanges() {
  const f = new FormData($('#changes-filters'));
  if (!f.get('since')) return;
  const body = await api('changes', {since: f.get('since')});
  const tbody = $('#changes-table tbody');
  tbody.textContent = '';
  for (const d of body.deals) {
    const r = tbody.insertRow();
    r.insertCell().appendChild(link(d.Name, d.url));
    cell(r, d.OwnerName);
    cell(r, d.changes.join(', '));
  }
}

let searchTimer = null;
async function search(text) {
  const box = $('#results');
  if (!text.trim()) { box.hidden = true; return; }
  const body = await api('search', {q: text});
  box.textContent = '';
  let group = null;
  for (const h of body.results) {
    if (h.object !== group) {
      group = h.object;
      const h3 = document.createElement('h3');
      h3.textContent = group;
      box.appendChild(h3);
    }
    const a = link(h.title || h.Id, h.url);
    a.appendChild(document.createElement('br'));
    const small = document.createElement('small');
    small.textContent = h.snippet;
    a.appendChild(small);
    box.appendChild(a);
  }
  box.hidden = body.results.length === 0;
}

function show(view) {
  for (const b of document.querySelectorAll('nav button')) b.classList.toggle('active', b.dataset.view === view);
  for (const s of document.querySelectorAll('main section')) s.hidden = s.id !== view;
  ({deals: loadDeals, forecast: loadForecast, changes: loadChanges})[view]().catch(() => {});
}

async function start() {
  for (const b of document.querySelectorAll('nav button')) b.onclick = () => show(b.dataset.view);
  for (const form of ['#deal-filters', '#forecast-filters', '#changes-filters']) {
    $(form).onchange = () => show(form.slice(1).replace('-filters', ''));
    $(form).onsubmit = (e) => e.preventDefault();
  }
  $('#search').oninput = (e) => { clearTimeout(searchTimer); searchTimer = setTimeout(() => search(e.target.value).catch(() => {}), 150); };
  try {
    const status = await api('status');
    $('#status').textContent = status.synced ? `${status.objects.length} objects synced` : status.message;
    const people = await api('people');
    const select = $('#deal-filters [name=person]');
    for (const p of people.people.filter((p) => p.active)) select.add(new Option(p.name, p.user_id));
  } catch (e) { return; }
  show('deals');
}

document.addEventListener('DOMContentLoaded', start);
