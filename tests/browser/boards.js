// The boards of `crmsync serve` in a real browser: Debian's Chromium, headless, driven by
// playwright-core. Starts the emulator, syncs a store from it, serves the store, then opens the deal
// board (timing navigation -> first board), picks a quarter, filters by stage and checks the totals
// against figures computed here from the org itself (SOQL as the admin through REST), switches to
// the forecast board, searches a contact by part of their email and opens it; and checks that a
// store with no sync yet says what to run. Fails on any console error, page error, failed request
// or HTTP error. Then, with sign-in: a rep signs in through the emulator's login page, sees their
// deals only, edits one and is refused another; their manager sees them rolled up (signedIn).
// Screenshots land in the working directory (build/browser/*.png).
//   node boards.js PATH/TO/crmsync
'use strict';
const assert = require('node:assert/strict');
const {spawn, spawnSync} = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const {chromium} = require('playwright-core');

const binary = process.argv[2];
if (!binary) {
  console.error('usage: node boards.js PATH/TO/crmsync');
  process.exit(2);
}
const CHROMIUM = '/usr/bin/chromium';
const QUARTER = {label: '2025-Q3', from: '2025-07-01', to: '2025-09-30'};  // the emulator's org has deals there
const children = [];
const started = Date.now();
const step = (what) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${what}`);

// Starts `crmsync args...` and resolves with the URL it prints as "... listening on URL".
function startListening(args, env = {}) {
  const child = spawn(binary, args, {stdio: ['ignore', 'pipe', 'inherit'], env: {...process.env, ...env}});
  children.push(child);
  return new Promise((resolve, reject) => {
    readline.createInterface({input: child.stdout}).on('line', (line) => {
      const m = line.match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`crmsync ${args[0]} exited with ${code} before listening`)));
    child.on('error', reject);  // e.g. no such binary: fail the test, clean up
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const {port} = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function writeConfig(dir, emulatorUrl, db) {
  const file = path.join(dir, 'crmsync.toml');
  fs.writeFileSync(file, `[salesforce]\nlogin_url = "${emulatorUrl}"\nauth = "password"\nclient_id = "crmsync-local"\n` +
    `client_secret = "crmsync-local-secret"\nusername = "integration@crmsync.test"\npassword = "integration-pass"\n` +
    `[store]\nurl = "sqlite:${db}"\n`);
  return file;
}

// The org as its admin sees it through REST: soql(query) gives every record (every page), send(method,
// path, body) any other call.
async function adminApi(emulatorUrl) {
  const form = new URLSearchParams({grant_type: 'password', client_id: 'crmsync-local', client_secret: 'crmsync-local-secret',
    username: 'admin@crmsync.test', password: 'admin-pass'});
  const token = await (await fetch(emulatorUrl + '/services/oauth2/token', {method: 'POST', body: form})).json();
  assert.ok(token.access_token, 'the admin logs in to the emulator');
  const send = async (method, path, body) => {
    const res = await fetch(token.instance_url + '/services/data/v62.0' + path, {method, body: body && JSON.stringify(body),
      headers: {Authorization: 'Bearer ' + token.access_token, 'Content-Type': 'application/json'}});
    assert.ok(res.ok, `${method} ${path}: HTTP ${res.status} ${await res.clone().text()}`);
    return res.status === 204 ? null : res.json();
  };
  const soql = async (soql) => {
    const records = [];
    let next = '/services/data/v62.0/query?q=' + encodeURIComponent(soql);
    while (next) {
      const page = await (await fetch(token.instance_url + next, {headers: {Authorization: 'Bearer ' + token.access_token}})).json();
      assert.ok(Array.isArray(page.records), `SOQL ${soql}: ${JSON.stringify(page)}`);
      records.push(...page.records);
      next = page.done ? null : page.nextRecordsUrl;
    }
    return records;
  };
  return {soql, send};
}

// The org's own records, as its admin reads them (every page).
const adminSoql = async (emulatorUrl) => (await adminApi(emulatorUrl)).soql;

// A figure as the page shows it ("$1,234,567", "1,234,567") as a number.
const figure = (text) => Number(text.replace(/[^0-9.-]/g, ''));
const sum = (records) => records.reduce((s, r) => s + (r.Amount || 0), 0);

// Every console error, page error, failed request and HTTP error of a page, to fail on.
function watch(page, problems, allowStatus = () => false) {
  page.on('console', (m) => { if (m.type() === 'error' && !allowStatus(m.text())) problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    const why = r.failure() && r.failure().errorText;
    if (why !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${why}`);  // the page aborts what a newer request replaces
  });
  page.on('response', (r) => { if (r.status() >= 400 && !allowStatus(String(r.status()))) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
}

async function dealBoard(page, serveUrl, org, emulatorUrl) {
  await page.goto(serveUrl + '/');
  await page.waitForSelector('body[data-ready="true"]');
  const ms = await page.evaluate(() => performance.getEntriesByName('crmsync:board-rendered')[0].startTime);
  // Printed for the note (issue #15's "under a second"), not asserted: a timed assertion fails on a
  // busy machine for reasons that are not the page's.
  console.log(`page load: navigation to the first board rendered in ${ms.toFixed(0)} ms`);
  assert.ok(ms > 0, 'the page marks when its first board is rendered');
  await page.screenshot({path: 'deals-this-quarter.png', fullPage: true});

  // The quarter, then the stage with the most deals in it, as the org itself has them.
  const deals = await org(`SELECT Id, Name, Amount, StageName, ForecastCategoryName FROM Opportunity WHERE CloseDate >= ${QUARTER.from} AND CloseDate <= ${QUARTER.to}`);
  assert.ok(deals.length > 5, `the org has deals in ${QUARTER.label}`);
  await Promise.all([page.waitForResponse((r) => r.url().includes('/api/deals')), page.selectOption('#deal-filters select[name=period]', QUARTER.label)]);
  await page.waitForFunction((n) => document.querySelector('#total-count').textContent.replace(/\D/g, '') === String(n), deals.length);
  assert.equal(figure(await page.textContent('#total-amount')), Math.round(sum(deals)));

  const stages = new Map();
  for (const d of deals) stages.set(d.StageName, (stages.get(d.StageName) || []).concat(d));
  const [stage, inStage] = [...stages].sort((a, b) => b[1].length - a[1].length)[0];
  step(`deal board: ${deals.length} deals in ${QUARTER.label}; filtering on ${stage} (${inStage.length})`);
  await Promise.all([page.waitForResponse((r) => r.url().includes('/api/deals') && r.url().includes('stage=')),
    page.selectOption('#deal-filters select[name=stage]', stage)]);
  await page.waitForFunction((n) => document.querySelector('#total-count').textContent.replace(/\D/g, '') === String(n), inStage.length);
  const shownAmount = figure(await page.textContent('#total-amount'));
  assert.ok(Math.abs(shownAmount - sum(inStage)) <= 1, `stage ${stage}: the page shows ${shownAmount}, the org has ${sum(inStage)}`);
  assert.equal(figure(await page.textContent('#total-attributed')), shownAmount, 'without a person, attributed = amount');
  const row = page.locator('#stage-totals tbody tr', {hasText: stage});
  assert.equal(figure(await row.locator('td').nth(0).textContent()), inStage.length);
  assert.ok(Math.abs(figure(await row.locator('td').nth(1).textContent()) - sum(inStage)) <= 1);
  const rows = page.locator('#deal-table tbody tr');
  assert.equal(await rows.count(), inStage.length, 'one table row per deal');
  const first = await rows.first().getAttribute('data-id');
  assert.equal(await page.getAttribute(`#deal-table tr[data-id="${first}"] td.name a`, 'href'), `${emulatorUrl}/${first}`,
    'a deal links to its record in Salesforce');
  for (const header of ['Deal', 'Account', 'Owner', 'Amount', 'Attributed', 'Stage', 'Close date', 'Probability', 'Forecast category',
    'Type', 'Record type', 'Last activity', 'Days since', 'Days in stage', 'Calls', 'Meetings', 'Team']) {
    assert.equal(await page.locator('#deal-table thead th', {hasText: header}).count() > 0, true, `the table has a ${header} column`);
  }
  // Sorting by amount, largest first: the server sorts, the page shows it.
  await Promise.all([page.waitForResponse((r) => r.url().includes('sort=Amount')), page.click('#deal-table thead th >> text=Amount')]);
  await Promise.all([page.waitForResponse((r) => r.url().includes('sort=-Amount')), page.click('#deal-table thead th >> text=Amount')]);
  await page.waitForSelector('#deal-table th[aria-sort="descending"]');
  const top = Math.max(...inStage.map((d) => d.Amount || 0));
  assert.ok(Math.abs(figure(await rows.first().locator('td').nth(3).textContent()) - top) <= 1, 'the largest deal first');
  await page.screenshot({path: 'deals-by-stage-filter.png', fullPage: true});
  await page.click('.view-switch button[data-layout=stages]');
  const lane = page.locator('#kanban .lane', {hasText: stage});
  assert.equal(await lane.locator('.deal-card').count(), inStage.length, 'the view by stage holds the same deals');
  await page.screenshot({path: 'deals-kanban.png', fullPage: true});
  await page.click('.view-switch button[data-layout=table]');
  return deals;
}

async function forecastBoard(page, deals) {
  await page.click('nav button[data-view=forecast]');
  await page.waitForFunction(() => document.querySelector('#forecast-subtitle').textContent !== '');
  await Promise.all([page.waitForResponse((r) => r.url().includes('/api/forecast') && r.url().includes(QUARTER.label)),
    page.selectOption('#forecast-filters select[name=period]', QUARTER.label)]);
  await page.waitForFunction((label) => document.querySelector('#forecast-subtitle').textContent.startsWith(label), QUARTER.label);
  const won = deals.filter((d) => d.ForecastCategoryName === 'Closed');
  const pipeline = deals.filter((d) => d.ForecastCategoryName !== 'Omitted');
  assert.ok(Math.abs(figure(await page.textContent('#fc-closed_won')) - sum(won)) <= 1, 'Closed Won is the org\'s closed deals');
  assert.ok(Math.abs(figure(await page.textContent('#fc-pipeline')) - sum(pipeline)) <= 1, 'Pipeline is every deal not Omitted');
  const toggles = page.locator('#forecast-table button.toggle[aria-expanded="false"]');
  if (await toggles.count()) {
    const before = await page.locator('#forecast-table tbody tr').count();
    await toggles.first().click();
    await page.waitForFunction((n) => document.querySelectorAll('#forecast-table tbody tr').length > n, before);
  }
  step(`forecast board: ${await page.locator('#forecast-table tbody tr').count()} rows shown`);
  await page.screenshot({path: 'forecast.png', fullPage: true});
}

async function searchContact(page, org) {
  const [contact] = await org('SELECT Id, FirstName, LastName, Email, Account.Name FROM Contact WHERE Email != null AND AccountId != null ORDER BY Id LIMIT 1');
  const [local, domain] = contact.Email.split('@');
  const typed = `${local}@${domain.split('.')[0].slice(0, 5)}`;  // part of the email, as one types it
  step(`search: typing "${typed}" for ${contact.FirstName} ${contact.LastName}`);
  await page.click('#search');
  await page.keyboard.type(typed, {delay: 25});
  const option = page.locator(`#results [role=option][data-id="${contact.Id}"]`);
  await option.waitFor();
  assert.equal(await page.locator('#results [role=group][aria-label=Contacts]').count(), 1, 'results are grouped by object');
  await page.screenshot({path: 'search.png'});
  // Keyboard: down to the contact, Enter opens it.
  const options = await page.locator('#results [role=option]').evaluateAll((os) => os.map((o) => o.dataset.id));
  for (let i = 0; i <= options.indexOf(contact.Id); ++i) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForSelector('dialog#record[open]');
  assert.equal((await page.textContent('#record-title')).trim(), [contact.FirstName, contact.LastName].filter(Boolean).join(' '));
  const fields = await page.locator('#record-fields').innerText();
  assert.ok(fields.includes(contact.Email), 'the opened contact shows its email');
  assert.ok(fields.includes(contact.Account.Name), 'and its account, by name');
  await page.screenshot({path: 'record.png'});
  await page.keyboard.press('Escape');
}

// A store no sync has filled: the page says what to run, in words.
async function noSync(context, dir) {
  const port = await freePort();
  const config = writeConfig(dir, 'http://127.0.0.1:9', path.join(dir, 'never-synced.db'));
  const url = await startListening(['serve', '--config', config, '--port', String(port)]);
  const page = await context.newPage();
  const problems = [];
  watch(page, problems, (text) => text === '503' || text.includes('status of 503'));  // NO_SYNC is the answer here
  await page.goto(url + '/');
  await page.waitForSelector('#notice:not([hidden])');
  const notice = await page.textContent('#notice');
  assert.match(notice, /crmsync sync/, `the page says what to run: ${notice}`);
  await page.screenshot({path: 'no-sync.png'});
  assert.deepEqual(problems, []);
  await page.close();
}

// Sign-in (issue #16): a rep signs in through the emulator's login page and sees only their own and
// their team's deals; edits a stage, which the org records as made by the rep; tries the amount,
// which their profile may not edit, and sees Salesforce's refusal with the deal unchanged; signs
// out; their manager signs in and sees the rep's deals rolled up.
const SIGNIN_ORG = `scale = 40
[[profiles]]
name = "Standard User"
fields = { "Opportunity.Amount" = { edit = false } }
[[users]]
username = "rep@crmsync.test"
password = "rep-pass"
first_name = "Rita"
last_name = "Rep"
profile = "Standard User"
role = "Sales Rep, EMEA"
[[users]]
username = "manager@crmsync.test"
password = "manager-pass"
first_name = "Mona"
last_name = "Manager"
profile = "Standard User"
role = "Sales Manager, EMEA"
`;

async function signInAs(page, serveUrl, username, password) {
  await page.goto(serveUrl + '/');
  await page.waitForSelector('body[data-ready="signin"]');
  await page.click('#sign-in');
  await page.waitForSelector('#username');  // the emulator's login page
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(serveUrl + '/'), page.click('#Login')]);
  await page.waitForSelector('body[data-ready="true"]');
  await Promise.all([page.waitForResponse((r) => r.url().includes('/api/deals')), page.selectOption('#deal-filters select[name=period]', QUARTER.label)]);
}

async function shownDeals(page, count) {
  await page.waitForFunction((n) => document.querySelectorAll('#deal-table tbody tr').length === n, count);
  return page.locator('#deal-table tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.id).sort());
}

async function signedIn(context, dir) {
  fs.writeFileSync(path.join(dir, 'signin-org.toml'), SIGNIN_ORG);
  const emulatorUrl = await startListening(['emulator', '--port', '0', '--org', path.join(dir, 'signin-org.toml')]);
  const admin = await adminApi(emulatorUrl);
  const userId = async (name) => (await admin.soql(`SELECT Id FROM User WHERE Username = '${name}'`))[0].Id;
  const [rep, manager] = [await userId('rep@crmsync.test'), await userId('manager@crmsync.test')];
  const other = (await admin.soql("SELECT Id FROM User WHERE Username = 'admin@crmsync.test'"))[0].Id;
  const open = await admin.soql(`SELECT Id FROM Opportunity WHERE IsClosed = false AND Amount != null AND CloseDate >= ${QUARTER.from} ` +
    `AND CloseDate <= ${QUARTER.to} ORDER BY Id LIMIT 5`);
  assert.equal(open.length, 5, `the org has open deals in ${QUARTER.label}`);
  const [own, team, elsewhere] = [open.slice(0, 3).map((d) => d.Id), open[3].Id, open[4].Id];  // elsewhere: the CEO's
  for (const id of own) await admin.send('PATCH', `/sobjects/Opportunity/${id}`, {OwnerId: rep});
  for (const id of [team, elsewhere]) await admin.send('PATCH', `/sobjects/Opportunity/${id}`, {OwnerId: other});
  await admin.send('POST', '/sobjects/OpportunityTeamMember', {OpportunityId: team, UserId: rep, TeamMemberRole: 'Sales Engineer'});
  const port = await freePort();
  const config = writeConfig(dir, emulatorUrl, path.join(dir, 'signin.db'));
  // The admin's changes were made just now: the sync leaves nothing to settle, and starts past the next second.
  // LeadSource: a deal column the dialog offers (a picklist); ExpectedRevenue: a formula, shown but not offered.
  fs.appendFileSync(config, `[sync]\nsettle_seconds = 0\n[objects.Opportunity]\ninclude = ["LeadSource", "ExpectedRevenue"]\n` +
    `[serve]\nclient_id = "crmsync-local"\npublic_url = "http://127.0.0.1:${port}"\n` +
    `deal_columns = ["LeadSource", "ExpectedRevenue"]\n`);
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal(spawnSync(binary, ['sync', '--config', config, '--quiet'], {stdio: 'inherit'}).status, 0, 'crmsync sync succeeds');
  const serveUrl = await startListening(['serve', '--config', config, '--port', String(port)],
    {CRMSYNC_SERVE_CLIENT_SECRET: 'crmsync-local-secret'});

  await context.clearCookies();
  const page = await context.newPage();
  const problems = [];
  // Signed out, /api/session answers 401; the refused amount is a 400: both are the answers expected
  // here. The emulator's login page has no favicon (the browser's console says 404; requests to the
  // boards' API that fail are caught as responses).
  watch(page, problems, (text) => /\b(401|400)\b/.test(text) || text.includes('status of 404'));
  await signInAs(page, serveUrl, 'rep@crmsync.test', 'rep-pass');
  const expected = [...own, team].sort();
  assert.deepEqual(await shownDeals(page, expected.length), expected, 'the rep sees their own deals and their team\'s, nothing else');
  assert.match(await page.textContent('#account-name'), /Rita Rep/);
  step(`signed in as the rep: ${expected.length} deals`);
  await page.screenshot({path: 'signin-rep.png', fullPage: true});

  // A stage: accepted, and Salesforce records the rep as the one who changed it.
  const [before] = await admin.soql(`SELECT StageName, Amount FROM Opportunity WHERE Id = '${own[0]}'`);
  const stage = before.StageName === 'Negotiation/Review' ? 'Proposal/Price Quote' : 'Negotiation/Review';
  await page.click(`#deal-table tr[data-id="${own[0]}"] td.edit button`);
  // The dialog offers the board's editable fields, a deal column among them, typed by Salesforce.
  for (const [name, tag] of [['Type', 'select'], ['RecordTypeId', 'select'], ['OwnerId', 'select'], ['LeadSource', 'select'],
    ['CloseDate', 'input[type=date]'], ['Amount', 'input[type=number]']]) {
    assert.equal(await page.locator(`#edit-form ${tag}[name=${name}]`).count(), 1, `the dialog offers ${name}`);
  }
  assert.equal(await page.locator('#edit-form [name=ExpectedRevenue]').count(), 0, 'a formula field has no input');
  const sources = await page.locator('#edit-form select[name=LeadSource] option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(sources.includes('Web'), `the org's lead sources: ${sources}`);
  await page.selectOption('#edit-form select[name=StageName]', stage);
  await page.screenshot({path: 'signin-edit.png'});
  await Promise.all([page.waitForResponse((r) => r.url().includes('/api/deals/' + own[0]) && r.request().method() === 'PATCH'),
    page.click('#edit-save')]);
  await page.waitForFunction(() => /Saved in Salesforce/.test(document.querySelector('#notice').textContent));
  const [after] = await admin.soql(`SELECT StageName, LastModifiedById FROM Opportunity WHERE Id = '${own[0]}'`);
  assert.equal(after.StageName, stage);
  assert.equal(after.LastModifiedById, rep, 'the org records the rep, not the integration user');
  await page.waitForSelector(`#deal-table tr[data-id="${own[0]}"] >> text=${stage}`);
  // The board reloaded with the change, and the confirmation is still there to read.
  assert.match(await page.textContent('#notice'), /Saved in Salesforce: StageName/);

  // The amount: their profile may not edit it. Salesforce's reason, and nothing changed.
  await page.click(`#deal-table tr[data-id="${own[1]}"] td.edit button`);
  const [amountBefore] = await admin.soql(`SELECT Amount FROM Opportunity WHERE Id = '${own[1]}'`);
  await page.fill('#edit-form input[name=Amount]', String(Math.round(amountBefore.Amount) + 1000));
  await page.click('#edit-save');
  await page.waitForSelector('#edit-error:not([hidden])');
  assert.match(await page.textContent('#edit-error'), /Unable to create\/update fields: Amount/);
  assert.equal(await page.getAttribute('#edit-form input[name=Amount]', 'aria-invalid'), 'true', 'the field Salesforce named is marked');
  await page.screenshot({path: 'signin-refused.png'});
  await page.click('#edit-cancel');
  const [amountAfter] = await admin.soql(`SELECT Amount FROM Opportunity WHERE Id = '${own[1]}'`);
  assert.equal(amountAfter.Amount, amountBefore.Amount);
  step('an edit accepted as the rep, one refused with Salesforce\'s reason');

  await Promise.all([page.waitForSelector('body[data-ready="signin"]'), page.click('#sign-out')]);
  await signInAs(page, serveUrl, 'manager@crmsync.test', 'manager-pass');
  await page.waitForFunction(() => document.querySelector('#total-count').textContent !== '–');
  const managed = await page.locator('#deal-table tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.id));
  for (const id of own) assert.ok(managed.includes(id), `the manager sees the rep's deal ${id}`);
  assert.ok(!managed.includes(elsewhere), 'the CEO\'s deal is not the manager\'s to see');
  step(`signed in as the manager: ${managed.length} deals, the rep's among them`);
  await page.screenshot({path: 'signin-manager.png', fullPage: true});
  assert.deepEqual(problems, [], 'no console error, failed request or HTTP error');
  await page.close();
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crmsync-browser-'));
  let context;
  try {
    const emulatorUrl = await startListening(['emulator', '--port', '0', '--scale', '80']);
    const config = writeConfig(dir, emulatorUrl, path.join(dir, 'crmsync.db'));
    const sync = spawnSync(binary, ['sync', '--config', config, '--quiet'], {stdio: 'inherit'});
    assert.equal(sync.status, 0, 'crmsync sync succeeds');
    step('synced the emulator org');
    const serveUrl = await startListening(['serve', '--config', config, '--port', String(await freePort())]);
    const org = await adminSoql(emulatorUrl);

    context = await chromium.launchPersistentContext(path.join(dir, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
      viewport: {width: 1440, height: 900},
    });
    const page = await context.newPage();
    const problems = [];
    watch(page, problems);
    const deals = await dealBoard(page, serveUrl, org, emulatorUrl);
    await forecastBoard(page, deals);
    await searchContact(page, org);
    assert.deepEqual(problems, [], 'no console error, failed request or HTTP error');
    await noSync(context, dir);
    step('a store with no sync says what to run');
    await signedIn(context, dir);
    console.log(`browser test passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${process.cwd()}`);
  } finally {
    if (context) await context.close();
    for (const c of children) c.kill('SIGTERM');
    if (!process.env.KEEP) fs.rmSync(dir, {recursive: true, force: true});
  }
}

main().catch((e) => {
  console.error(e);
  for (const c of children) c.kill('SIGKILL');
  process.exit(1);
});
