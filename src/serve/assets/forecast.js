// The forecast board: one row per person down the hierarchy (expandable), the cumulative categories,
// and a chart of them per person. GET /api/forecast (docs/api.md).
import {$, api, chart, clear, day, el, money, moneyAxis, moneyTooltip, monthName, months, notify, palette, quarters, report} from './util.js';

const form = $('#forecast-filters');
const KEYS = ['closed_won', 'commit', 'best_case', 'pipeline'];
const DEPTH = 8;  // levels read at once; a row below them is read when opened
const LABELS = {closed_won: 'Closed Won', commit: 'Commit', best_case: 'Best Case', pipeline: 'Pipeline'};
const COLOURS = {closed_won: palette.won, commit: palette.commit, best_case: palette.best, pipeline: palette.pipe};
let ctx = null;
let rows = [];
let answer = null;
const expanded = new Set();
let controller = null;

export function setup(context) {
  ctx = context;
  const fs = ctx.filters;
  const byQuarter = el('optgroup', {label: 'Fiscal quarters'});
  for (const p of quarters(fs.this_quarter, fs.close_dates.first, fs.close_dates.last)) {
    byQuarter.append(new Option(`${p.label}${p.offset === 0 ? ' (this quarter)' : ''}`, p.label));
  }
  const byMonth = el('optgroup', {label: 'Months'});
  const to = [fs.close_dates.last, fs.this_quarter.to].filter(Boolean).sort().pop();
  const from = [fs.close_dates.first, fs.this_quarter.from].filter(Boolean).sort()[0];
  for (const m of months(from, to)) byMonth.append(new Option(monthName(m), m));
  form.period.append(byQuarter, byMonth);
  form.period.value = fs.this_quarter.label;
  for (const [name, values] of [['type', fs.types], ['record_type', fs.record_types]]) {
    form.elements[name].closest('label').hidden = values == null;
    for (const v of values || []) form.elements[name].add(typeof v === 'string' ? new Option(v, v) : new Option(v.Name, v.Id));
  }
  form.addEventListener('change', () => load().catch(report));
  form.addEventListener('submit', (e) => e.preventDefault());
}

function params(person) {
  const f = new FormData(form);
  return {period: f.get('period'), person: person || f.get('person'), type: f.get('type'), record_type: f.get('record_type')};
}

export async function load() {
  if (controller) controller.abort();
  controller = new AbortController();
  answer = await api('forecast', {...params(), depth: DEPTH}, {signal: controller.signal});
  notify(null);
  rows = answer.rows;
  expanded.clear();
  // Opened down while a level holds one person, to the first level of several (the chart's).
  for (let level = rows; level.length === 1 && level[0].children.length > 0; level = level[0].children) expanded.add(level[0].user_id);
  render();
}

// A row below the depth the API answered is read when opened (person = that row's user).
async function toggle(row) {
  if (expanded.has(row.user_id)) {
    expanded.delete(row.user_id);
  } else {
    if (row.has_children && row.children.length === 0) {
      const sub = await api('forecast', {...params(row.user_id), depth: DEPTH});
      row.children = sub.rows.length ? sub.rows[0].children : [];
    }
    expanded.add(row.user_id);
  }
  render();
  const button = document.getElementById('toggle-' + row.user_id);
  if (button) button.focus();
}

function render() {
  const t = answer.total;
  for (const k of KEYS) $('#fc-' + k).textContent = money(t[k]);
  $('#forecast-subtitle').textContent = `${answer.period}: closing ${day(answer.from)} – ${day(answer.to)}` +
    (answer.currency ? ` · amounts in ${answer.currency}` : '');
  const body = $('#forecast-table tbody');
  clear(body);
  const add = (row, level) => {
    const person = ctx.peopleById.get(row.user_id);
    const open = expanded.has(row.user_id);
    const lead = row.has_children
      ? el('button', {type: 'button', class: 'toggle', id: 'toggle-' + row.user_id, 'aria-expanded': String(open),
        'aria-label': `${open ? 'Hide' : 'Show'} the people below ${row.name}`, onclick: () => toggle(row).catch(report)}, open ? '▾' : '▸')
      : el('span', {class: 'spacer'});
    const indent = el('span', {class: 'indent'});
    indent.style.paddingLeft = `${level * 1.25}rem`;  // CSSOM, which the page's CSP allows
    body.append(el('tr', {class: `level-${Math.min(level, 3)}`, dataset: {user: row.user_id}},
      el('td', {}, indent, lead, row.name, person && person.role ? el('span', {class: 'role'}, person.role) : null),
      KEYS.map((k) => el('td', {class: 'num'}, money(row[k])))));
    if (open) for (const c of row.children) add(c, level + 1);
  };
  if (rows.length === 0) body.append(el('tr', {}, el('td', {colspan: 5, class: 'muted'}, 'Nobody in this period.')));
  for (const r of rows) add(r, 0);

  // The chart compares peers: down from a lone top row to the first level where several people are.
  let people = rows;
  let manager = null;
  while (people.length === 1 && people[0].children.length > 0) {
    manager = people[0];
    people = manager.children;
  }
  $('#forecast-chart-caption').textContent = manager ? `Forecast of the people reporting to ${manager.name}` : 'Forecast by person';
  chart($('#forecast-chart'), {type: 'bar',
    data: {labels: people.map((r) => r.name),
      datasets: KEYS.map((k) => ({label: LABELS[k], data: people.map((r) => r[k]), backgroundColor: COLOURS[k], borderRadius: 3, maxBarThickness: 48}))},
    options: {animation: false, maintainAspectRatio: false, scales: {y: moneyAxis, x: {grid: {display: false}}},
      plugins: {legend: {position: 'bottom'}, tooltip: moneyTooltip}}});
}
