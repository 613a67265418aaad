// The Salesforce CLI (`sf`, pinned in package-lock.json), unchanged, against `crmsync emulator`:
// `sf org login access-token` with the integration user's token (which reads
// /services/oauth2/userinfo and the User record), then `sf data query --json`, whose records must
// equal what the admin's own query returns. sf writes only under a temporary HOME, sends no
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
  const child = spawn(binary, ['emulator', '--port', '0', '--scale', '10'], { stdio: ['ignore', 'pipe', 'inherit'] });
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
    console.log(`sf ${require('./node_modules/@salesforce/cli/package.json').version}: org login access-token as ` +
      `${auth.result.username}, data query of ${expected.length} Accounts equal to the admin's, a subquery and ` +
      'an aggregate: as expected');
  } finally {
    emu.child.kill('SIGTERM');
    fs.rmSync(home, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
