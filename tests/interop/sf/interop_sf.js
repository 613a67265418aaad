// The Salesforce CLI (`sf`, pinned in package-lock.json), unchanged, against `crmsync emulator`:
// `sf org login access-token` with the integration user's token (which reads
// /services/oauth2/userinfo and the User record), then `sf data query --json`, whose records must
// equal what the admin's own query returns, `sf data export bulk` (Bulk API 2.0 query), `sf data
// upsert bulk` (Bulk API 2.0 ingest), `sf data
// export tree` / `sf data import tree` (sObject Tree), `sf data search` (SOSL) and `sf sobject describe`.
// sf writes only under a temporary HOME, sends no
// telemetry and does not update itself. Run by run.sh (ctest -L interop); exits non-zero on the
// first wrong answer.
'use strict';
const assert = require('node:assert/strict');
const { spawn, execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const binary = process.argv[2];
if (!binary) {
  console.error('usage: node interop_sf.js PATH/TO/crmsync');
  process.exit(2);
}
const sfBin = path.join(__dirname, 'node_modules', '.bin', 'sf');
const soql = 'SELECT Id, Name FROM Account LIMIT 5';

function startEmulator() {
  // Task gets an external ID field for `sf data upsert bulk`.
  const orgFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crmsync-sf-org-')), 'org.json');
  fs.writeFileSync(orgFile, JSON.stringify({ scale: 10, custom_fields: [
    { object: 'Task', name: 'Interop_Key__c', type: 'text', length: 40, external_id: true }] }));
  const child = spawn(binary, ['emulator', '--port', '0', '--scale', '10', '--org', orgFile],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const listening = line.match(/listening on (http:\/\/\S+)/);
      if (listening) resolve({ child, url: listening[1] });
    });
    child.on('exit', (code) => reject(new Error(`crmsync emulator exited with ${code} before listening`)));
  });
}

async function login(url, username, password) {
  const res = await fetch(`${url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: 'crmsync-local',
      client_secret: 'crmsync-local-secret', username, password }),
  });
  assert.equal(res.status, 200, `${username} login`);
  return (await res.json()).access_token;
}

// Runs sf with --json; returns its parsed output (sf prints one JSON document, errors included).
function sf(args, env) {
  return new Promise((resolve, reject) => {
    execFile(sfBin, [...args, '--json'], { env, timeout: 240000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      let doc;
      try {
        doc = JSON.parse(stdout);
      } catch (parseError) {
        return reject(new Error(`sf ${args[0]} ${args[1]} printed no JSON (${err ? err.message : 'exit 0'}):\n` +
          `${stdout}\n${stderr}`));
      }
      resolve(doc);
    });
  });
}

async function main() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'crmsync-sf-home-'));
  const emu = await startEmulator();
  try {
    const token = await login(emu.url, 'integration@crmsync.test', 'integration-pass');
    const env = {
      PATH: process.env.PATH,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_DATA_HOME: path.join(home, '.local', 'share'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      TMPDIR: home,
      SF_ACCESS_TOKEN: token,
      SF_DISABLE_TELEMETRY: 'true',
      SF_AUTOUPDATE_DISABLE: 'true',
      SF_SKIP_NEW_VERSION_CHECK: 'true',
      SF_USE_GENERIC_UNIX_KEYCHAIN: 'true',
      SF_HIDE_RELEASE_NOTES: 'true',
      SF_CONTAINER_MODE: 'true',
    };
    const auth = await sf(['org', 'login', 'access-token', '--instance-url', emu.url, '--no-prompt',
      '--alias', 'emulator'], env);
    assert.equal(auth.status, 0, JSON.stringify(auth));
    assert.equal(auth.result.username, 'integration@crmsync.test');
    assert.match(auth.result.orgId, /^00D\w{15}$/);
    assert.equal(auth.result.instanceUrl.replace(/\/$/, ''), emu.url);  // sf keeps a trailing slash

    const query = await sf(['data', 'query', '--query', soql, '--target-org', 'emulator'], env);
    assert.equal(query.status, 0, JSON.stringify(query));

    const admin = await login(emu.url, 'admin@crmsync.test', 'admin-pass');
    const res = await fetch(`${emu.url}/services/data/v60.0/query?q=${encodeURIComponent(soql)}`,
      { headers: { authorization: `Bearer ${admin}` } });
    assert.equal(res.status, 200);
    const expected = (await res.json()).records.map((r) => [r.Id, r.Name]);
    assert.equal(expected.length, 5);
    assert.equal(query.result.totalSize, 5);
    assert.deepEqual(query.result.records.map((r) => [r.Id, r.Name]), expected);

    // A parent-to-child subquery and an aggregate through `sf data query`.
    const nested = await sf(['data', 'query', '--query',
      'SELECT Name, (SELECT LastName FROM Contacts) FROM Account LIMIT 5', '--target-org', 'emulator'], env);
    assert.equal(nested.status, 0, JSON.stringify(nested));
    assert.deepEqual(nested.result.records.map((r) => r.Name), expected.map((r) => r[1]));
    assert.ok(nested.result.records.some((r) => r.Contacts && r.Contacts.records.length > 0), JSON.stringify(nested));
    const counted = await sf(['data', 'query', '--query', 'SELECT COUNT(Id) n FROM Account', '--target-org', 'emulator'],
      env);
    assert.equal(counted.status, 0, JSON.stringify(counted));
    assert.equal(counted.result.records[0].n, (await (await fetch(`${emu.url}/services/data/v60.0/query?q=` +
      encodeURIComponent('SELECT COUNT() FROM Account'), { headers: { authorization: `Bearer ${token}` } })).json()).totalSize);

    await bulkQuery(env, emu.url, admin, home);
    // TYPEOF through `sf data query`: each Task's What with its own type and its WHEN's fields.
    const typed = await sf(['data', 'query', '--query', 'SELECT Subject, TYPEOF What WHEN Account THEN Name, Industry ' +
      'ELSE Name END FROM Task WHERE What.Type = \'Account\' LIMIT 5', '--target-org', 'emulator'], env);
    assert.equal(typed.status, 0, JSON.stringify(typed));
    assert.ok(typed.result.records.length > 0, JSON.stringify(typed));
    for (const t of typed.result.records) {
      if (t.What === null) continue;  // an Account the integration user cannot see
      assert.equal(t.What.attributes.type, 'Account', JSON.stringify(t));
      assert.ok('Industry' in t.What, JSON.stringify(t));
    }

    await bulkAndTree(env, home);

    // sf data search (SOSL) finds the first Account by a word of its name; sf sobject describe.
    const word = expected[0][1].split(/[^A-Za-z0-9]+/).find((w) => w.length > 2);
    const search = await sf(['data', 'search', '--query', `FIND {${word}} IN NAME FIELDS RETURNING Account(Id, Name)`,
      '--target-org', 'emulator'], env);
    assert.equal(search.status, 0, JSON.stringify(search));
    assert.ok(search.result.searchRecords.some((r) => r.Id === expected[0][0]), JSON.stringify(search.result));
    const described = await sf(['sobject', 'describe', '--sobject', 'Account', '--target-org', 'emulator'], env);
    assert.equal(described.status, 0, JSON.stringify(described).slice(0, 2000));
    assert.equal(described.result.name, 'Account');
    assert.ok(described.result.fields.some((f) => f.name === 'Name'));
    console.log(`sf ${require('./node_modules/@salesforce/cli/package.json').version}: org login access-token as ` +
      `${auth.result.username}, data query of ${expected.length} Accounts equal to the admin's, data export bulk, ` +
      `data upsert bulk, ` +
      `data export tree and data import tree, a subquery, an aggregate and TYPEOF, data search ` +
      `for "${word}", sobject describe Account: as expected`);
  } finally {
    emu.child.kill('SIGTERM');
    fs.rmSync(home, { recursive: true, force: true });
  }
}

// A Bulk API 2.0 query through sf: `sf data query --bulk` of older CLIs is `sf data export bulk`
// in the pinned one (a query job, polled, its CSV results read and written out as JSON). The
// integration user's records equal what the admin's own REST query returns.
async function bulkQuery(env, url, admin, home) {
  const statement = 'SELECT Id, Name, Industry FROM Account ORDER BY Id';
  const file = path.join(home, 'accounts.json');
  const bulk = await sf(['data', 'export', 'bulk', '--query', statement, '--output-file', file, '--result-format',
    'json', '--wait', '2', '--target-org', 'emulator'], env);
  assert.equal(bulk.status, 0, JSON.stringify(bulk).slice(0, 2000));
  const res = await fetch(`${url}/services/data/v60.0/query?q=${encodeURIComponent(statement)}`,
    { headers: { authorization: `Bearer ${admin}` } });
  const rest = (await res.json()).records;
  assert.ok(rest.length > 5, `expected Accounts, got ${rest.length}`);
  assert.equal(bulk.result.totalSize, rest.length);
  const records = JSON.parse(fs.readFileSync(file, 'utf8'));
  // Bulk CSV has no nulls: an empty cell is what REST answers as null.
  assert.deepEqual(records.map((r) => [r.Id, r.Name, r.Industry || null]), rest.map((r) => [r.Id, r.Name, r.Industry]));
}

// `sf data upsert bulk` (Bulk API 2.0 ingest), then `sf data export tree` of what it wrote and
// `sf data import tree` of that export (sObject Tree), read back with `sf data query`.
async function bulkAndTree(env, home) {
  const csv = path.join(home, 'tasks.csv');
  fs.writeFileSync(csv, 'Subject,Interop_Key__c\nsf bulk 1,SF-1\nsf bulk 2,SF-2\n');
  const upsert = await sf(['data', 'upsert', 'bulk', '--sobject', 'Task', '--file', csv, '--external-id',
    'Interop_Key__c', '--wait', '5', '--target-org', 'emulator'], env);
  assert.equal(upsert.status, 0, JSON.stringify(upsert));
  assert.equal(upsert.result.jobInfo.state, 'JobComplete');
  assert.equal(upsert.result.jobInfo.numberRecordsProcessed, 2);
  assert.deepEqual(upsert.result.records.successfulResults.map((r) => [r.Interop_Key__c, r.sf__Created]),
    [['SF-1', 'true'], ['SF-2', 'true']]);

  const dir = path.join(home, 'tree');
  const exported = await sf(['data', 'export', 'tree', '--query',
    "SELECT Id, Subject FROM Task WHERE Interop_Key__c LIKE 'SF-%' ORDER BY Subject", '--output-dir', dir,
    '--target-org', 'emulator'], env);
  assert.equal(exported.status, 0, JSON.stringify(exported));
  assert.deepEqual(exported.result.records.map((r) => r.Subject), ['sf bulk 1', 'sf bulk 2']);
  const imported = await sf(['data', 'import', 'tree', '--files', path.join(dir, 'Task.json'),
    '--target-org', 'emulator'], env);
  assert.equal(imported.status, 0, JSON.stringify(imported));
  assert.equal(imported.result.length, 2);
  const copies = await sf(['data', 'query', '--query',
    "SELECT Id FROM Task WHERE Subject LIKE 'sf bulk %' AND Interop_Key__c = null", '--target-org', 'emulator'], env);
  assert.deepEqual(copies.result.records.map((r) => r.Id).sort(), imported.result.map((r) => r.id).sort());
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
