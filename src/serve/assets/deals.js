// The deal board: filters, totals per stage, the pipeline chart, the table (sorted by the server,
// any column) and the view by stage. GET /api/deals (docs/api.md).
import * as edit from './edit.js';
import {$, $$, api, chart, clear, count, day, el, money, moneyAxis, moneyTooltip, notify, palette, plural, quarters, recordLink,
  report, session} from './util.js';

const PAGE = 500;
const form = $('#deal-filters');
let ctx = null;         // {filters, people, peopleById} from app.js
let periods = [];       // the quarters offered, newest first
let sort = 'CloseDate';
let layout = 'table';
let shown = [];         // the deals loaded so far (pages of PAGE)
let last = null;        // the last answer
let controller = null;  // aborts a request a newer one replaced

const fixed = [
  {key: 'Name', label: 'Deal', cell: (d) => el('td', {class: 'name'}, recordLink(d.Name, d.url))},
  {key: 'AccountName', label: 'Account'},
  {key: 'OwnerName', label: 'Owner'},
  {key: 'Amount', label: 'Amount', kind: 'money'},
  {key: 'attributed_amount', label: 'Attributed', kind: 'money'},
  {key: 'StageName', label: 'Stage'},
  {key: 'CloseDate', label: 'Close date', kind: 'date'},
  {key: 'Probability', label: 'Probability', kind: 'num', format: (v) => (v == null ? '' : `${v} %`)},
  {key: 'ForecastCategoryName', label: 'Forecast category',
    cell: (d) => el('td', {}, d.ForecastCategoryName ? el('span', {class: 'badge ' + d.ForecastCategoryName.replace(' ', '-')}, d.ForecastCategoryName) : '')},
  {key: 'Type', label: 'Type'},
  {key: 'RecordTypeName', label: 'Record type'},
  {key: 'last_activity', label: 'Last activity', kind: 'date'},
  {key: 'days_since_activity', label: 'Days since', kind: 'num',
    cell: (d) => el('td', {class: 'num' + (d.days_since_activity > 30 ? ' stale' : ''),
      title: d.days_since_activity > 30 ? 'No activity for over 30 days' : null}, d.days_since_activity ?? '')},
  {key: 'days_in_stage', label: 'Days in stage', kind: 'num'},
  {key: 'calls', label: 'Calls', kind: 'num'},
  {key: 'meetings', label: 'Meetings', kind: 'num'},
  {key: 'team', label: 'Team', cell: (d) => el('td', {}, d.team.map((id) => ctx.peopleById.get(id)?.name || id).join(', '))},
];
// Signed in: a last column to edit the deal in Salesforce, as the person (edit.js).
const editColumn = {key: 'edit', label: 'Edit', unsortable: true,
  cell: (d) => el('td', {class: 'edit'}, el('button', {type: 'button', class: 'quiet', 'aria-label': `Edit ${d.Name}`,
    onclick: () => edit.open(d, () => load({keepNotice: true}).catch(report))}, 'Edit'))};
const columns = () => fixed.concat((ctx.filters.deal_columns || []).map((c) => ({key: c, label: c, extra: true})),
  session.signin ? [editColumn] : []);

function formatted(col, v) {
  if (col.format) return col.format(v);
  if (v == null) return '';
  if (col.kind === 'money') return money(v);
  if (col.kind === 'date') return day(v);
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  return String(v);
}

function cellOf(col, d) {
  if (col.cell) return col.cell(d);
  return el('td', {class: col.kind === 'money' || col.kind === 'num' ? 'num' : null}, formatted(col, d[col.key]));
}

// ---- filters -------------------------------------------------------------------------------------

function periodOf(value) {
  if (value === 'custom') return {from: form.from.value, to: form.to.value, label: ''};
  return periods.find((p) => p.label === value) || periods.find((p) => p.offset === 0);
}

function params() {
  const f = new FormData(form);
  const p = periodOf(f.get('period'));
  return {from: p.from, to: p.to, person: f.get('person'), owner: f.get('owner'), stage: f.get('stage'), type: f.get('type'),
    record_type: f.get('record_type'), forecast_category: f.get('forecast_category'), min_amount: f.get('min_amount'),
    max_amount: f.get('max_amount'), sort};
}

const filtered = () => ['owner', 'stage', 'type', 'record_type', 'forecast_category', 'min_amount', 'max_amount']
  .some((n) => form.elements[n] && form.elements[n].value !== '');

export function setup(context) {
  ctx = context;
  const fs = ctx.filters;
  if (session.signin) edit.setup(ctx);
  periods = quarters(fs.this_quarter, fs.close_dates.first, fs.close_dates.last);
  for (const p of periods) {
    const label = `${p.label}${p.offset === 0 ? ' (this quarter)' : ''} · ${day(p.from)} – ${day(p.to)}`;
    form.period.add(new Option(label, p.label));
  }
  form.period.add(new Option('Custom dates…', 'custom'));
  form.period.value = fs.this_quarter.label;
  for (const s of fs.stages) form.stage.add(new Option(s, s));
  for (const [name, values] of [['type', fs.types], ['record_type', fs.record_types], ['forecast_category', fs.forecast_categories]]) {
    const label = form.elements[name].closest('label');
    label.hidden = values == null;  // the store lacks the field: no filter to offer
    for (const v of values || []) form.elements[name].add(typeof v === 'string' ? new Option(v, v) : new Option(v.Name, v.Id));
  }
  const people = [...ctx.people].filter((p) => p.active).sort((a, b) => a.name.localeCompare(b.name));
  for (const p of people) form.owner.add(new Option(p.name, p.user_id));

  form.addEventListener('change', (e) => {
    if (e.target === form.period) {
      const custom = form.period.value === 'custom';
      for (const l of $$('.custom-dates', form)) l.hidden = !custom;
      if (custom) {
        const p = periods.find((q) => q.offset === 0);
        form.from.value ||= p.from;
        form.to.value ||= p.to;
      }
    }
    load().catch(report);
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  form.addEventListener('reset', () => setTimeout(() => {
    form.period.value = fs.this_quarter.label;
    for (const l of $$('.custom-dates', form)) l.hidden = true;
    load().catch(report);
  }));
  for (const b of $$('.view-switch button')) {
    b.addEventListener('click', () => {
      layout = b.dataset.layout;
      for (const o of $$('.view-switch button')) o.setAttribute('aria-pressed', String(o === b));
      render();
    });
  }
}

// ---- loading -------------------------------------------------------------------------------------

// A load clears the last notice (an error the new answer makes stale), except after an edit:
// `keepNotice` leaves its "Saved in Salesforce" for the person to read.
export async function load({keepNotice = false} = {}) {
  if (controller) controller.abort();
  controller = new AbortController();
  const body = await api('deals', {...params(), limit: PAGE}, {signal: controller.signal});
  if (!keepNotice) notify(null);
  last = body;
  shown = body.deals;
  render();
}

async function more() {
  const body = await api('deals', {...params(), limit: PAGE, offset: shown.length});
  shown = shown.concat(body.deals);
  render();
}

// ---- rendering -----------------------------------------------------------------------------------

function render() {
  const t = last.totals;
  const p = periodOf(form.period.value);
  const who = form.person.value ? ctx.peopleById.get(form.person.value)?.name : null;
  $('#deals-subtitle').textContent = `${p.label ? p.label + ': ' : ''}closing ${day(p.from)} – ${day(p.to)}` +
    (who ? ` · ${who} and everyone below them` : session.signin && !session.admin ? ' · all you may see' : ' · everyone') + (last.currency ? ` · amounts in ${last.currency}` : '');
  $('#total-count').textContent = count(t.count);
  $('#total-amount').textContent = money(t.amount);
  $('#total-attributed').textContent = money(t.attributed_amount);
  $('#attributed-hint').textContent = who ? `${who}'s team's share, from splits` : 'without a person: the full amount';
  renderEmpty(t);
  renderStages(t);
  renderTable();
  renderKanban();
  $('#deal-table-wrap').hidden = layout !== 'table' || t.count === 0;
  $('#kanban').hidden = layout !== 'stages' || t.count === 0;
  $('.view-switch').hidden = t.count === 0;
  $('#deals-overview').hidden = t.count === 0;
  clear($('#deals-shown'), shown.length < t.count
    ? [`Showing ${count(shown.length)} of ${count(t.count)} deals. `,
      el('button', {type: 'button', class: 'quiet', onclick: () => more().catch(report)}, `Show ${count(Math.min(PAGE, t.count - shown.length))} more`)]
    : plural(t.count, 'deal'));
}

function renderEmpty(t) {
  const box = $('#deals-empty');
  box.hidden = t.count !== 0;
  if (t.count !== 0) return;
  const {first, last: lastClose} = ctx.filters.close_dates;
  if (filtered()) {
    clear(box, 'No deals match these filters. ', el('button', {type: 'button', class: 'quiet', onclick: () => form.reset()}, 'Clear filters'));
    return;
  }
  const p = periodOf(form.period.value);
  if (!lastClose) {
    clear(box, 'The store holds no deals with a close date yet.');
    return;
  }
  const latest = periods.find((q) => q.from <= lastClose && lastClose <= q.to);
  clear(box, `No deals close in ${p.label || 'these dates'}. The store's deals close between ${day(first)} and ${day(lastClose)}.`,
    latest && latest.label !== form.period.value
      ? el('button', {type: 'button', class: 'quiet', onclick: () => { form.period.value = latest.label; form.period.dispatchEvent(new Event('change', {bubbles: true})); }},
        `Show ${latest.label}, the latest quarter with deals`)
      : null);
}

function stagesInOrder(byStage) {
  const order = ctx.filters.stages;
  return Object.keys(byStage).sort((a, b) => (order.indexOf(a) + 1 || 1e9) - (order.indexOf(b) + 1 || 1e9) || a.localeCompare(b));
}

function stageColour(stage) {
  if (/closed won/i.test(stage)) return palette.won;
  if (/closed|lost/i.test(stage)) return palette.lost;
  return palette.open;
}

function renderStages(t) {
  const stages = stagesInOrder(t.by_stage);
  const body = $('#stage-totals tbody');
  clear(body, stages.map((s) => {
    const v = t.by_stage[s];
    return el('tr', {dataset: {stage: s}}, el('th', {scope: 'row'}, s), el('td', {class: 'num'}, count(v.count)),
      el('td', {class: 'num'}, money(v.amount)), el('td', {class: 'num'}, money(v.attributed_amount)));
  }));
  const foot = $('#stage-totals tfoot') || $('#stage-totals').appendChild(el('tfoot'));
  clear(foot, el('tr', {}, el('td', {}, 'Total'), el('td', {class: 'num'}, count(t.count)), el('td', {class: 'num'}, money(t.amount)),
    el('td', {class: 'num'}, money(t.attributed_amount))));
  const personal = Boolean(form.person.value);
  const bar = {borderRadius: 4, maxBarThickness: 64};
  const datasets = [{...bar, label: 'Amount', data: stages.map((s) => t.by_stage[s].amount), backgroundColor: stages.map(stageColour)}];
  if (personal) datasets.push({...bar, label: 'Attributed', data: stages.map((s) => t.by_stage[s].attributed_amount), backgroundColor: '#f0a73a'});
  chart($('#stage-chart'), {type: 'bar', data: {labels: stages, datasets},
    options: {animation: false, maintainAspectRatio: false, scales: {y: moneyAxis, x: {grid: {display: false}}},
      plugins: {legend: {display: personal}, tooltip: moneyTooltip}}});
}

function renderTable() {
  const cols = columns();
  const [key, desc] = sort.startsWith('-') ? [sort.slice(1), true] : [sort, false];
  const head = el('tr', {}, cols.map((c) => {
    if (c.unsortable) return el('th', {scope: 'col'}, el('span', {class: 'sr-only'}, c.label));
    const sorted = c.key === key ? (desc ? 'descending' : 'ascending') : null;
    const button = el('button', {type: 'button', class: 'sort', title: `Sort by ${c.label}`}, c.label);
    button.addEventListener('click', () => {
      sort = c.key === key && !desc ? '-' + c.key : c.key;
      load().catch(report);
    });
    return el('th', {scope: 'col', class: c.kind === 'money' || c.kind === 'num' ? 'num' : null, 'aria-sort': sorted || 'none'}, button);
  }));
  clear($('#deal-table thead'), head);
  clear($('#deal-table tbody'), shown.map((d) => el('tr', {dataset: {id: d.Id}}, cols.map((c) => cellOf(c, d)))));
}

function renderKanban() {
  const t = last.totals;
  const lanes = stagesInOrder(t.by_stage).map((s) => {
    const deals = shown.filter((d) => d.StageName === s);
    const missing = t.by_stage[s].count - deals.length;
    return el('section', {class: 'lane', 'aria-label': s},
      el('h2', {}, el('span', {}, s), el('span', {class: 'num'}, `${count(t.by_stage[s].count)} · ${money(t.by_stage[s].amount)}`)),
      deals.map((d) => el('article', {class: 'deal-card'}, recordLink(d.Name, d.url),
        el('div', {class: 'meta'}, el('span', {}, d.AccountName || ''), el('span', {class: 'amount'}, money(d.Amount))),
        el('div', {class: 'meta'}, el('span', {}, d.OwnerName || ''), el('span', {}, day(d.CloseDate))))),
      missing > 0 ? el('p', {class: 'muted small'}, `${count(missing)} more not loaded`) : null);
  });
  clear($('#kanban'), lanes);
}
