// jsforce, unchanged, against `crmsync emulator`: password login through OAuth2 with the emulator
// as loginUrl, describeGlobal, describe, a query paged by autoFetch, create/update/delete, and the
// refresh token flow, child-to-parent relationship queries (Contact, Case), and the sObject Collections API
// (create/update/destroy of many records, with allOrNone false) and upsert on a custom external ID field defined by an org file,
// Bulk API 2.0 ingest and query and Bulk API 1.0 load and query, a manual OpportunityShare made by a deal's owner and
// honoured for the colleague it names,
// SOSL, sObject Collections retrieve, recent items and identity, and logout / token revocation. Run by run.sh (ctest -L interop); exits non-zero on the first wrong answer.
'use strict';
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const jsforce = require('jsforce');

const binary = process.argv[2];
if (!binary) {
  console.error('usage: node interop.js PATH/TO/crmsync');
  process.exit(2);
}

// The org: Task gets an external ID field for upserts (editable where Task fields are).
function writeOrgFile() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crmsync-interop-'));
  const file = path.join(dir, 'org.json');
  fs.writeFileSync(file, JSON.stringify({
    scale: 40,
    custom_fields: [{ object: 'Task', name: 'Interop_Key__c', type: 'text', length: 40, external_id: true }],
    users: [
      { username: 'rita@crmsync.test', password: 'rita-pass', last_name: 'Rep', profile: 'Standard User', role: 'Sales Rep, EMEA' },
      { username: 'colin@crmsync.test', password: 'colin-pass', last_name: 'Colleague', profile: 'Standard User',
        role: 'Sales Rep, Americas' },
    ],
  }));
  return { dir, file };
}

function startEmulator(orgFile) {
  const child = spawn(binary, ['emulator', '--port', '0', '--scale', '40', '--batch-size', '50', '--print-refresh-token',
    'integration@crmsync.test', '--org', orgFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    let url;
    lines.on('line', (line) => {
      const listening = line.match(/listening on (http:\/\/\S+)/);
      if (listening) url = listening[1];
      const refresh = line.match(/^refresh_token=(\S+)$/);
      if (refresh && url) resolve({ child, url, refreshToken: refresh[1] });
    });
    child.on('exit', (code) => reject(new Error(`crmsync emulator exited with ${code} before listening`)));
  });
}

async function main() {
  const org = writeOrgFile();
  const emu = await startEmulator(org.file);
  try {
    const oauth2 = { loginUrl: emu.url, clientId: 'crmsync-local', clientSecret: 'crmsync-local-secret' };
    const conn = new jsforce.Connection({ oauth2, version: '60.0' });
    const user = await conn.login('integration@crmsync.test', 'integration-pass');
    assert.equal(conn.instanceUrl, emu.url);
    assert.match(user.id, /^005/);
    assert.match(user.organizationId, /^00D/);

    const global = await conn.describeGlobal();
    const names = global.sobjects.map((o) => o.name);
    for (const name of ['Account', 'Contact', 'Opportunity', 'Task', 'User']) assert.ok(names.includes(name), name);

    const account = await conn.sobject('Account').describe();
    assert.equal(account.name, 'Account');
    assert.equal(account.keyPrefix, '001');
    assert.ok(account.fields.some((f) => f.name === 'Industry' && f.type === 'picklist'));

    const count = await conn.query('SELECT COUNT() FROM Task');
    assert.ok(count.totalSize > 100, `expected several pages of 50 Tasks, got ${count.totalSize}`);
    let pages = 0;
    const all = await conn.query('SELECT Id, Subject, SystemModstamp FROM Task ORDER BY Id',
      { autoFetch: true, maxFetch: 100000 }).on('fetch', () => { pages += 1; });
    assert.ok(pages >= 3, `expected several pages, jsforce fetched ${pages}`);
    assert.equal(all.totalSize, count.totalSize);
    assert.equal(all.records.length, count.totalSize);
    assert.equal(new Set(all.records.map((r) => r.Id)).size, count.totalSize);
    assert.equal(all.records[0].attributes.type, 'Task');

    // A child-to-parent relationship query through jsforce's query builder.
    const contacts = await conn.sobject('Contact')
      .find({ 'Account.Name': { $ne: null } }, ['Id', 'Account.Name', 'Owner.Email']).limit(3);
    assert.equal(contacts.length, 3);
    for (const c of contacts) {
      assert.equal(c.Account.attributes.type, 'Account');
      assert.equal(typeof c.Account.Name, 'string');
      assert.match(c.Owner.Email, /@/);
    }

    // Case, through its account, as jsforce's query builder writes it.
    const cases = await conn.sobject('Case')
      .find({ 'Account.Name': { $ne: null } }, ['Id', 'CaseNumber', 'Status', 'Account.Name']).limit(3);
    assert.equal(cases.length, 3);
    for (const c of cases) {
      assert.equal(c.attributes.type, 'Case');
      assert.match(c.CaseNumber, /^[0-9]{8}$/);
      assert.equal(typeof c.Account.Name, 'string');
    }

    await subqueryAndAggregate(conn);
    await typeofQuery(conn);

    // The integration user writes activities (Edit Tasks); Account is read-only for it.
    const created = await conn.sobject('Task').create({ Subject: 'jsforce interop', Description: 'made by jsforce' });
    assert.equal(created.success, true);
    assert.match(created.id, /^00T\w{15}$/);
    const updated = await conn.sobject('Task').update({ Id: created.id, Subject: 'jsforce interop 2' });
    assert.equal(updated.success, true);
    const read = await conn.sobject('Task').retrieve(created.id);
    assert.equal(read.Subject, 'jsforce interop 2');
    const deleted = await conn.sobject('Task').destroy(created.id);
    assert.equal(deleted.success, true);
    const gone = await conn.query(`SELECT Id, IsDeleted FROM Task WHERE Id = '${created.id}'`, { scanAll: true });
    assert.equal(gone.records[0].IsDeleted, true);
    await assert.rejects(conn.sobject('Task').create({ Nope__c: 1 }), (err) => err.errorCode === 'INVALID_FIELD');
    await assert.rejects(conn.sobject('Account').create({ Name: 'refused' }),
      (err) => err.errorCode === 'INSUFFICIENT_ACCESS_OR_READONLY');

    const limits = await conn.limits();
    assert.equal(typeof limits.DailyApiRequests.Max, 'number');
    assert.ok(conn.limitInfo.apiUsage.used > 0, 'jsforce read Sforce-Limit-Info');

    await collections(conn);
    await bulk(conn);
    await bulk2Query(conn, oauth2);
    await searchRetrieveIdentity(conn, emu);
    await sharing(oauth2);

    // A refresh token printed by --print-refresh-token: jsforce renews the session with it.
    const refreshed = new jsforce.Connection({ oauth2, instanceUrl: emu.url, refreshToken: emu.refreshToken,
      accessToken: 'expired', version: '60.0' });
    const again = await refreshed.query('SELECT Id FROM User LIMIT 1');
    assert.equal(again.records.length, 1);
    assert.notEqual(refreshed.accessToken, 'expired');

    await logout(conn, refreshed, emu);
    console.log(`jsforce ${jsforce.VERSION}: login, describeGlobal, describe, ${all.totalSize} Tasks in ` +
      `${pages} pages, Cases with their Account, a subquery, an aggregate, TYPEOF and a paged child set, create/update/delete, sObject Collections and upserts, Bulk 2.0 ingest and query, Bulk 1.0 load and ` +
      'query, a manual share, limits, SOSL search, retrieve([ids]), recent, identity, refresh token, ' +
      'logout and revoke: all answers as expected');
  } finally {
    emu.child.kill('SIGTERM');
    fs.rmSync(org.dir, { recursive: true, force: true });
  }
}

// A parent-to-child subquery (jsforce's query builder: include()) and an aggregate query
// (AggregateResult records with expr0 and aliases), checked against plain queries of the same rows.
async function subqueryAndAggregate(conn) {
  const accounts = await conn.sobject('Account').find({}, ['Id', 'Name']).orderby('Name').limit(5)
    .include('Contacts').select('Id, LastName').orderby('LastName').end();
  assert.equal(accounts.length, 5);
  for (const a of accounts) {
    const plain = await conn.query(`SELECT Id FROM Contact WHERE AccountId = '${a.Id}' ORDER BY LastName`);
    if (plain.totalSize === 0) {
      assert.equal(a.Contacts, null);
      continue;
    }
    assert.equal(a.Contacts.totalSize, plain.totalSize);
    assert.equal(a.Contacts.done, true);
    assert.deepEqual(a.Contacts.records.map((c) => c.Id), plain.records.map((c) => c.Id));
  }
  const grouped = await conn.query('SELECT Industry, COUNT(Id) n, MAX(NumberOfEmployees) FROM Account ' +
    'WHERE Industry != null GROUP BY Industry ORDER BY Industry');
  assert.ok(grouped.records.length > 1);
  for (const g of grouped.records) {
    assert.equal(g.attributes.type, 'AggregateResult');
    const count = await conn.query(`SELECT COUNT() FROM Account WHERE Industry = '${g.Industry}'`);
    assert.equal(g.n, count.totalSize, g.Industry);
    assert.ok('expr0' in g, 'an unaliased aggregate is expr0');
  }
}

// TYPEOF: each Task's What as its own object with the fields of the WHEN naming it.
async function typeofQuery(conn) {
  const tasks = await conn.query('SELECT WhatId, TYPEOF What WHEN Account THEN Name, Industry ' +
    'WHEN Opportunity THEN Name, StageName ELSE Name END FROM Task WHERE WhatId != null LIMIT 50');
  assert.ok(tasks.records.length > 0);
  let typed = 0;
  for (const t of tasks.records) {
    if (t.What === null) continue;  // a parent the integration user cannot see
    const type = t.What.attributes.type;
    assert.notEqual(type, 'Name', 'TYPEOF writes the record\'s own type');
    assert.ok(t.What.attributes.url.endsWith(`/sobjects/${type}/${t.WhatId}`), t.What.attributes.url);
    if (type === 'Account') assert.ok('Industry' in t.What && !('StageName' in t.What));
    if (type === 'Opportunity') assert.ok('StageName' in t.What && !('Industry' in t.What));
    typed++;
  }
  assert.ok(typed > 0, 'some Task has a What the user sees');

  // A child set past 200 records: the nested result is not done; jsforce's autoFetch follows only
  // the top-level locator, so the client follows the child's nextRecordsUrl with queryMore.
  const account = (await conn.query('SELECT Id FROM Account LIMIT 1')).records[0].Id;
  const made = [];
  for (let i = 0; i < 250; i += 50) {
    const batch = Array.from({ length: 50 }, (_, k) => ({ Subject: `child ${i + k}`, WhatId: account }));
    made.push(...(await conn.sobject('Task').create(batch, { allOrNone: true })).map((r) => r.id));
  }
  try {
    const parent = await conn.query(`SELECT Id, (SELECT Id FROM Tasks) FROM Account WHERE Id = '${account}'`);
    const tasks = parent.records[0].Tasks;
    assert.equal(tasks.done, false);
    assert.equal(tasks.records.length, 200);
    const all = [...tasks.records];
    for (let next = tasks.nextRecordsUrl; next;) {  // pages of the connection's batch size
      const more = await conn.queryMore(next, { autoFetch: false });
      all.push(...more.records);
      next = more.done ? undefined : more.nextRecordsUrl;
    }
    assert.equal(all.length, tasks.totalSize);
    const ids = new Set(all.map((t) => t.Id));
    for (const id of made) assert.ok(ids.has(id), id);
  } finally {
    for (let i = 0; i < made.length; i += 200) await conn.sobject('Task').destroy(made.slice(i, i + 200));
  }
}

// jsforce's logout of an OAuth2 session revokes its access token (POST /services/oauth2/revoke);
// logout(true) revokes the refresh token, and with it the access tokens issued through it.
async function logout(conn, refreshed, emu) {
  const limits = (token) => fetch(`${emu.url}/services/data/v60.0/limits`,
    { headers: { Authorization: `Bearer ${token}` } });
  const revokedToken = conn.accessToken;
  await conn.logout();
  assert.equal((await limits(revokedToken)).status, 401, 'the logged-out session is over');

  const refreshedToken = refreshed.accessToken;
  assert.equal((await limits(refreshedToken)).status, 200);
  await refreshed.logout(true);
  assert.equal((await limits(refreshedToken)).status, 401, 'revoking the refresh token ends its sessions');
  const again = new jsforce.Connection({ oauth2: refreshed.oauth2, instanceUrl: emu.url,
    refreshToken: emu.refreshToken, accessToken: 'expired', version: '60.0' });
  await assert.rejects(again.query('SELECT Id FROM User LIMIT 1'),
    (err) => /expired access\/refresh token/.test(String(err)), 'the revoked refresh token no longer renews');
  await assert.rejects(conn.oauth2.revokeToken('no-such-token'), (err) => err.name === 'invalid_token');
}

// jsforce's collection calls: one /composite/sobjects request for each array, per-record results.
async function collections(conn) {
  const tasks = conn.sobject('Task');
  const before = conn.limitInfo.apiUsage.used;
  const made = await tasks.create([
    { Subject: 'interop 1', Priority: 'High' },
    { Subject: 'interop 2', OwnerId: '005000000000000AAA' },  // no such user: refused, the others not
    { Subject: 'interop 3' },
  ], { allOrNone: false });
  assert.equal(made.length, 3);
  assert.equal(made[0].success, true);
  assert.equal(made[1].success, false);
  assert.ok(made[1].errors.length === 1 && made[1].errors[0].statusCode, JSON.stringify(made[1]));
  assert.equal(made[2].success, true);
  await conn.limits();
  assert.equal(conn.limitInfo.apiUsage.used, before + 2, 'one API call for the collection, one for limits');

  const ids = [made[0].id, made[2].id];
  const updated = await tasks.update(ids.map((Id, i) => ({ Id, Subject: `interop ${i} v2`, Status: 'Completed' })),
    { allOrNone: false });
  assert.deepEqual(updated.map((r) => [r.id, r.success]), ids.map((id) => [id, true]));
  const read = await conn.query(`SELECT Id, Subject, IsClosed FROM Task WHERE Id IN ('${ids.join("','")}') ORDER BY Subject`);
  assert.deepEqual(read.records.map((r) => [r.Subject, r.IsClosed]), [['interop 0 v2', true], ['interop 1 v2', true]]);

  // Upsert on the external ID field: a new key creates, a known one updates.
  const first = await tasks.upsert([{ Interop_Key__c: 'K-1', Subject: 'upsert 1' },
    { Interop_Key__c: 'K-2', Subject: 'upsert 2' }], 'Interop_Key__c');
  assert.deepEqual(first.map((r) => [r.success, r.created]), [[true, true], [true, true]]);
  const second = await tasks.upsert({ Interop_Key__c: 'K-1', Subject: 'upsert 1 v2' }, 'Interop_Key__c');
  assert.equal(second.created, false);
  assert.equal(second.id, first[0].id);
  // The collection form of upsert, through jsforce's request API.
  const many = await conn.request({
    method: 'PATCH',
    url: `/services/data/v${conn.version}/composite/sobjects/Task/Interop_Key__c`,
    body: JSON.stringify({ allOrNone: false, records: [
      { attributes: { type: 'Task' }, Interop_Key__c: 'K-2', Subject: 'upsert 2 v2' },
      { attributes: { type: 'Task' }, Interop_Key__c: 'K-3', Subject: 'upsert 3' }] }),
    headers: { 'content-type': 'application/json' },
  });
  assert.deepEqual(many.map((r) => [r.id === first[1].id, r.created]), [[true, false], [false, true]]);

  const doomed = [...ids, first[0].id, many[1].id];
  const destroyed = await tasks.destroy(doomed, { allOrNone: false });
  assert.deepEqual(destroyed.map((r) => [r.id, r.success]), doomed.map((id) => [id, true]));
  const again = await tasks.destroy([ids[0]], { allOrNone: false });
  assert.equal(again[0].errors[0].statusCode, 'ENTITY_IS_DELETED');
}

// Bulk API 2.0 ingest (jsforce bulk2.loadAndWaitForResults) and Bulk API 1.0 load and query
// (jsforce bulk): records written as the REST API writes them, results in each API's shape.
async function bulk(conn) {
  const options = { pollInterval: 50, pollTimeout: 30000 };
  const loaded = await conn.bulk2.loadAndWaitForResults({ object: 'Task', operation: 'insert', ...options,
    input: [{ Subject: 'bulk2 1', Interop_Key__c: 'B2-1' }, { Subject: 'bulk2 2', Interop_Key__c: 'B2-2' },
      { Subject: 'bulk2 3', Interop_Key__c: 'K'.repeat(41) }] });  // longer than the field: refused
  assert.equal(loaded.successfulResults.length, 2, JSON.stringify(loaded));
  assert.equal(loaded.successfulResults[0].sf__Created, 'true');
  assert.match(loaded.successfulResults[0].sf__Id, /^00T/);
  assert.equal(loaded.failedResults.length, 1);
  assert.match(loaded.failedResults[0].sf__Error, /^STRING_TOO_LONG:.*Interop_Key__c --$/);
  assert.equal(loaded.unprocessedRecords.length, 0);
  const upserted = await conn.bulk2.loadAndWaitForResults({ object: 'Task', operation: 'upsert', ...options,
    externalIdFieldName: 'Interop_Key__c',
    input: [{ Interop_Key__c: 'B2-1', Subject: 'bulk2 1 v2' }, { Interop_Key__c: 'B2-9', Subject: 'bulk2 9' }] });
  assert.deepEqual(upserted.successfulResults.map((r) => [r.Interop_Key__c, r.sf__Created]).sort(),
    [['B2-1', 'false'], ['B2-9', 'true']]);
  const renamed = await conn.query("SELECT Subject FROM Task WHERE Interop_Key__c = 'B2-1'");
  assert.equal(renamed.records[0].Subject, 'bulk2 1 v2');

  conn.bulk.pollInterval = 50;
  const v1 = await conn.bulk.load('Task', 'insert', [{ Subject: 'bulk1 1' }, { Subject: 'bulk1 2' }]);
  assert.deepEqual(v1.map((r) => [r.success, r.created, /^00T/.test(r.id)]), [[true, true, true], [true, true, true]]);
  const stream = await conn.bulk.query("SELECT Id, Subject FROM Task WHERE Subject LIKE 'bulk1 %' ORDER BY Subject");
  const rows = await new Promise((resolve, reject) => {
    const out = [];
    stream.on('record', (r) => out.push(r)).on('end', () => resolve(out)).on('error', reject);
  });
  assert.deepEqual(rows.map((r) => [r.Id, r.Subject]), [[v1[0].id, 'bulk1 1'], [v1[1].id, 'bulk1 2']]);
  const gone = await conn.bulk.load('Task', 'delete', v1.map((r) => ({ Id: r.id })));
  assert.deepEqual(gone.map((r) => r.success), [true, true]);
}

// Bulk API 2.0 query (jsforce bulk2.query: a query job, polled, its CSV results read through
// Sforce-Locator): the integration user's records equal what the admin's own REST query returns.
async function bulk2Query(conn, oauth2) {
  const soql = 'SELECT Id, Name, Industry, Owner.Name FROM Account ORDER BY Id';
  const stream = await conn.bulk2.query(soql, { pollInterval: 50, pollTimeout: 30000 });
  const rows = await new Promise((resolve, reject) => {
    const out = [];
    stream.on('record', (r) => out.push(r)).on('end', () => resolve(out)).on('error', reject);
  });
  const admin = new jsforce.Connection({ oauth2, version: '60.0' });
  await admin.login('admin@crmsync.test', 'admin-pass');
  const rest = await admin.query(soql, { autoFetch: true, maxFetch: 100000 });
  assert.ok(rest.records.length > 10, `expected Accounts, got ${rest.records.length}`);
  // Bulk CSV has no nulls: an empty cell is what REST answers as null.
  assert.deepEqual(rows.map((r) => [r.Id, r.Name, r.Industry, r['Owner.Name']]),
    rest.records.map((r) => [r.Id, r.Name, r.Industry ?? '', r.Owner.Name]));
  await assert.rejects(conn.bulk2.query('SELECT COUNT() FROM Account', { pollInterval: 50, pollTimeout: 30000 }),
    (err) => /aggregate|COUNT/i.test(String(err)), 'Bulk API 2.0 refuses aggregates');
}

// SOSL through conn.search, sObject Collections retrieve through retrieve([ids]), recently viewed
// records, and identity() both from the login's id URL and from the resource list's `identity`.
async function searchRetrieveIdentity(conn, emu) {
  const accounts = (await conn.query('SELECT Id, Name FROM Account ORDER BY Name LIMIT 2')).records;
  const word = accounts[0].Name.split(/[^A-Za-z0-9]+/).find((w) => w.length > 2);
  const found = await conn.search(`FIND {${word}} IN NAME FIELDS RETURNING Account(Id, Name ORDER BY Name)`);
  assert.ok(found.searchRecords.some((r) => r.Id === accounts[0].Id), `${word}: ${JSON.stringify(found)}`);
  for (const r of found.searchRecords) assert.equal(r.attributes.type, 'Account');
  await assert.rejects(conn.search('FIND {x}'), (err) => err.errorCode === 'INVALID_SEARCH');

  const ids = accounts.map((a) => a.Id);
  const read = await conn.sobject('Account').retrieve([ids[0], '001000000000000AAA', ids[1]], { fields: ['Id', 'Name'] });
  assert.deepEqual(read.map((r) => r && r.Name), [accounts[0].Name, null, accounts[1].Name]);
  const full = await conn.sobject('Account').retrieve(ids);  // every field describe lists
  assert.equal(full[1].Id, ids[1]);
  const recent = await conn.recent(1);
  assert.deepEqual(recent.map((r) => r.Id), [ids[1]]);

  const identity = await conn.identity();
  assert.equal(identity.username, 'integration@crmsync.test');
  assert.match(identity.urls.rest, /\{version\}/);
  const fresh = new jsforce.Connection({ instanceUrl: emu.url, accessToken: conn.accessToken, version: '60.0' });
  assert.equal((await fresh.identity()).user_id, identity.user_id);  // through the resource list
}

// A deal's owner shares it with a colleague Read Only (OpportunityShare): the colleague reads it
// and is refused its update; the share row is queryable with RowCause Manual.
async function sharing(oauth2) {
  const as = async (username, password) => {
    const c = new jsforce.Connection({ oauth2, version: '60.0' });
    await c.login(username, password);
    return c;
  };
  const admin = await as('admin@crmsync.test', 'admin-pass');
  const colin = await as('colin@crmsync.test', 'colin-pass');
  const rita = await as('rita@crmsync.test', 'rita-pass');
  const ritaId = rita.userInfo.id;
  const deal = (await admin.query('SELECT Id FROM Opportunity WHERE IsClosed = false AND AccountId != null LIMIT 1')).records[0].Id;
  assert.equal((await admin.sobject('Opportunity').update({ Id: deal, OwnerId: colin.userInfo.id })).success, true);
  await assert.rejects(rita.sobject('Opportunity').retrieve(deal), (err) => err.errorCode === 'NOT_FOUND');

  const share = await colin.sobject('OpportunityShare').create({ OpportunityId: deal, UserOrGroupId: ritaId,
    OpportunityAccessLevel: 'Read' });
  assert.equal(share.success, true);
  assert.equal((await rita.sobject('Opportunity').retrieve(deal)).Id, deal);
  await assert.rejects(rita.sobject('Opportunity').update({ Id: deal, Description: 'rita' }),
    (err) => err.errorCode === 'INSUFFICIENT_ACCESS_OR_READONLY');
  const rows = await colin.query(`SELECT UserOrGroupId, OpportunityAccessLevel, RowCause FROM OpportunityShare WHERE OpportunityId = '${deal}'`);
  assert.deepEqual(rows.records.map((r) => [r.UserOrGroupId, r.OpportunityAccessLevel, r.RowCause]), [[ritaId, 'Read', 'Manual']]);

  // Implicit parent: owning the deal, Colin reads its account, read only; "" in a required field is missing.
  const accountId = (await admin.sobject('Opportunity').retrieve(deal)).AccountId;
  assert.equal((await colin.sobject('Account').retrieve(accountId)).Id, accountId);
  await assert.rejects(colin.sobject('Account').update({ Id: accountId, Description: 'colin' }),
    (err) => err.errorCode === 'INSUFFICIENT_ACCESS_OR_READONLY');
  await assert.rejects(colin.sobject('Contact').create({ LastName: '' }),
    (err) => err.errorCode === 'REQUIRED_FIELD_MISSING' && err.message === 'Required fields are missing: [LastName]');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
