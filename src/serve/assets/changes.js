// "What changed": deals new since a date, or whose stage, amount or close date moved since then.
// GET /api/changes (docs/api.md).
import {$, addDays, api, clear, count, day, el, money, notify, recordLink, report, today} from './util.js';

const form = $('#changes-filters');
const KINDS = {new: 'New', stage_forward: 'Stage forward', stage_back: 'Stage back', amount_up: 'Amount up',
  amount_down: 'Amount down', close_pushed: 'Close date pushed', close_pulled_in: 'Close date pulled in'};
let answer = null;
let only = null;  // a kind the chips narrow the list to
let controller = null;

export function setup() {
  form.since.value = addDays(today(), -30);
  form.addEventListener('change', () => load().catch(report));
  form.addEventListener('submit', (e) => e.preventDefault());
}

export async function load() {
  if (!form.since.value) return;
  if (controller) controller.abort();
  controller = new AbortController();
  answer = await api('changes', {since: form.since.value, person: form.person.value}, {signal: controller.signal});
  notify(null);
  render();
}

function move(from, to, show, better) {
  if (from == null || from === to) return show(to);
  const cls = better == null ? null : better ? 'up' : 'down';
  return el('span', {class: cls}, `${show(from)} → ${show(to)}`);
}

function render() {
  const kinds = Object.keys(KINDS).filter((k) => answer.counts[k]);
  if (only && !kinds.includes(only)) only = null;
  clear($('#change-kinds'), kinds.map((k) => el('button', {type: 'button', 'aria-pressed': String(only === k),
    onclick: () => { only = only === k ? null : k; render(); }}, KINDS[k], el('span', {class: 'count'}, count(answer.counts[k])))));
  const deals = answer.deals.filter((d) => !only || d.changes.includes(only));
  const empty = $('#changes-empty');
  empty.hidden = deals.length > 0;
  empty.textContent = `No deal is new or changed since ${day(answer.since)}.`;
  $('#changes-table').closest('.table-wrap').hidden = deals.length === 0;
  clear($('#changes-table tbody'), deals.map((d) => el('tr', {},
    el('td', {class: 'name'}, recordLink(d.Name, d.url)),
    el('td', {}, d.OwnerName),
    el('td', {}, d.changes.map((k) => el('span', {class: 'badge'}, KINDS[k] || k)).flatMap((b, i) => (i ? [' ', b] : [b]))),
    el('td', {}, move(d.StageName.from, d.StageName.to, (v) => v ?? '', d.changes.includes('stage_forward') ? true : d.changes.includes('stage_back') ? false : null)),
    el('td', {class: 'num'}, move(d.Amount.from, d.Amount.to, money, d.Amount.from == null ? null : d.Amount.to > d.Amount.from)),
    el('td', {}, move(d.CloseDate.from, d.CloseDate.to, day, d.CloseDate.from == null ? null : d.CloseDate.to < d.CloseDate.from)))));
}
