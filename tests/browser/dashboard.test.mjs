// Drives the mkvfleet dashboard in headless Debian chromium through puppeteer-core: log in with the
// admin token, watch a running job's progress advance live (no reload), see a chunked job's chunks
// in the list and on its page (with a chunk error rendered as text), reset a failed job from its
// detail page, see an agent go stale, and see a library file named like HTML shown as text on
// every view (no element, no script, no dialog); then, with 100,000 jobs, page through the list, filter it
// by state and see only one page of rows in the DOM. The server is tests/browser/fixture_server
// (the real DashboardServer over a scripted in-memory backend).
//
// Usage: node --test dashboard.test.mjs   with FIXTURE_SERVER=/path/to/browser_fixture_server,
// optionally CHROMIUM=/usr/bin/chromium and SCREENSHOT_DIR=/some/dir (keeps PNGs of each view).
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync, mkdirSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import puppeteer from 'puppeteer-core';

const TOKEN = 'browser-test-admin-token-0123456789';
// Generous upper bounds so a broken page fails instead of hanging; nothing measures speed.
const WAIT = {timeout: 60000};

function startFixture(args = []) {
  const child = spawn(process.env.FIXTURE_SERVER, args, {
    env: {...process.env, MKVFLEET_ADMIN_TOKEN: TOKEN},
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({input: child.stdout});
  const port = new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      const m = line.match(/^PORT (\d+)$/);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error('fixture server exited with ' + code)));
  });
  return {child, port};
}

function launchBrowser(profile) {
  return puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    userDataDir: profile,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

async function logIn(page, base) {
  await page.goto(base + '/');
  await page.waitForSelector('#token', WAIT);
  await page.type('#token', TOKEN);
  await Promise.all([page.waitForNavigation(), page.click('#login-submit')]);
}

test('dashboard: login, live progress, reset a failed job, an agent goes stale', async () => {
  const fixture = startFixture();
  const port = await fixture.port;
  const base = `http://127.0.0.1:${port}`;
  const profile = mkdtempSync(path.join(tmpdir(), 'mkvfleet-chromium-'));
  const shots = process.env.SCREENSHOT_DIR;
  if (shots) mkdirSync(shots, {recursive: true});
  const browser = await launchBrowser(profile);
  const pageErrors = [];
  try {
    const page = await browser.newPage();
    await page.setViewport({width: 1400, height: 900});
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
    const dialogs = [];  // an alert() from injected markup would land here
    page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });

    // 1. Without credentials the login form appears; a wrong token is refused.
    await page.goto(base + '/');
    await page.waitForSelector('#token', WAIT);
    await page.type('#token', 'wrong-token');
    await Promise.all([page.waitForNavigation(), page.click('#login-submit')]);
    assert.match(await page.$eval('#login-error', (e) => e.textContent), /Wrong admin token/);
    pageErrors.length = 0;  // the refused login's 401 is logged by the browser, as it should be

    await page.type('#token', TOKEN);
    await Promise.all([page.waitForNavigation(), page.click('#login-submit')]);
    await page.waitForSelector('#jobs tr[data-job-id="1"]', WAIT);
    const cookies = await browser.cookies();
    const session = cookies.find((c) => c.name === 'mkvfleet_session');
    assert.ok(session, 'session cookie set');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.notEqual(session.value, TOKEN);

    // 2. Progress advances through server-sent events, without a reload.
    await page.waitForFunction(() => document.querySelector('#live').textContent === 'live', WAIT);
    await page.evaluate(() => { window.__sameDocument = true; });
    const bar = '#jobs tr[data-job-id="1"] .progress-bar';
    const first = Number(await page.$eval(bar, (e) => e.dataset.percent));
    await page.waitForFunction((sel, p) => {
      const e = document.querySelector(sel);
      return e && Number(e.dataset.percent) !== p;
    }, WAIT, bar, first);
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no full reload');
    assert.equal(await page.$eval('#jobs tr[data-job-id="1"] .state', (e) => e.textContent), 'running');
    if (shots) await page.screenshot({path: path.join(shots, 'jobs.png')});

    // 3. A chunked job: "chunked 3" in the list, its chunks on its page, updated live.
    await page.waitForFunction(() => {
      const note = document.querySelector('#jobs tr[data-job-id="4"] .chunk-note');
      return note && note.textContent === 'chunked 3 · 1/3 done, 1 running, 1 failed';
    }, WAIT);
    assert.equal(await page.$eval('#jobs tr[data-job-id="4"] .agent', (e) => e.textContent), 'vm3');
    await page.goto(base + '/#/job/4');
    await page.waitForSelector('#job-chunks tbody tr[data-chunk="2"]', WAIT);
    assert.equal(await page.$eval('#job-chunks-section', (e) => e.hidden), false);
    assert.equal(await page.$eval('#job-chunks tr[data-chunk="1"] .agent', (e) => e.textContent), 'vm3');
    assert.equal(await page.$eval('#job-chunks tr[data-chunk="1"]', (e) => e.dataset.state), 'running');
    assert.equal(await page.$eval('#job-chunks tr[data-chunk="1"] .retries', (e) => e.textContent), '1 retry');
    assert.equal(await page.$eval('#job-chunks tr[data-chunk="0"] .frames', (e) => e.textContent), '0..9999');
    assert.equal(await page.$eval('#job-chunks tr[data-chunk="2"] .error', (e) => e.textContent),
      '<img src=x onerror=alert(1)> RPU 12 differs');
    assert.equal(await page.$('#job-chunks img'), null, 'a chunk error is text, not markup');
    // The brightness plot the probe recorded, inlined as SVG (drawn by the coordinator).
    await page.waitForSelector('#job-brightness svg polyline', WAIT);
    assert.equal(await page.$eval('#job-brightness', (e) => e.hidden), false);
    assert.equal(await page.$$eval('#job-brightness svg polyline', (l) => l.length), 2);
    assert.match(await page.$eval('#job-brightness svg', (e) => e.textContent), /scene starts \(125\)/);
    const chunkBar = '#job-chunks tr[data-chunk="1"] .progress-bar';
    const chunkFirst = Number(await page.$eval(chunkBar, (e) => e.dataset.percent));
    await page.waitForFunction((sel, p) => {
      const e = document.querySelector(sel);
      return e && Number(e.dataset.percent) !== p;
    }, WAIT, chunkBar, chunkFirst);
    if (shots) await page.screenshot({path: path.join(shots, 'chunked-job.png'), fullPage: true});
    await page.goto(base + '/#/jobs');
    await page.waitForSelector('#jobs tr[data-job-id="2"]', WAIT);

    // 4. Reset the failed job from its detail page.
    assert.equal(await page.$eval('#jobs tr[data-job-id="2"]', (e) => e.dataset.state), 'failed_permanent');
    // Rows are re-rendered by every live update, so click inside the page in one step (a
    // puppeteer element handle could be replaced between finding it and clicking it).
    await page.evaluate(() => document.querySelector('#jobs tr[data-job-id="2"]').click());
    await page.waitForFunction(() => /Job 2/.test(document.querySelector('#job-title').textContent), WAIT);
    await page.waitForSelector('#job-steps tbody tr[data-step="4"]', WAIT);
    assert.match(await page.$eval('#job-error', (e) => e.textContent), /mkvmerge exited 2/);
    if (shots) await page.screenshot({path: path.join(shots, 'job.png')});
    await page.select('#job-reset-step', '4');
    await page.click('#job-reset');
    await page.waitForFunction(() => document.querySelector('#job-title .badge').textContent === 'pending', WAIT);
    await page.goto(base + '/#/jobs');
    await page.waitForFunction(() => {
      const row = document.querySelector('#jobs tr[data-job-id="2"]');
      return row && row.dataset.state === 'pending';
    }, WAIT);

    // 5. An agent that stops heartbeating turns stale on the agents page.
    await page.click('#nav-agents');
    await page.waitForSelector('#agents tr[data-agent="vm2"][data-status="idle"]', WAIT);
    await page.waitForFunction(() => document.querySelector('#live').textContent === 'live', WAIT);
    fixture.child.kill('SIGUSR1');
    await page.waitForSelector('#agents tr[data-agent="vm2"][data-status="stale"]', WAIT);
    assert.match(await page.$eval('#agents tr[data-agent="vm2"] .heartbeat', (e) => e.textContent), /ago/);
    // Each agent's last 6 hours of fps as a sparkline (72 five-minute buckets).
    assert.equal(await page.$eval('#agents tr[data-agent="vm2"] svg.sparkline polyline',
      (e) => e.getAttribute('points').split(' ').length), 72);
    if (shots) await page.screenshot({path: path.join(shots, 'agents.png')});

    // 6. A library file named like HTML is text everywhere: jobs list, job page, log, agents.
    const MARKUP = '<img src=x onerror=alert(1)>';
    const FILE = '/library/Movies/' + MARKUP + '.mkv';
    const noElements = async (where) => assert.equal(
      await page.evaluate(() => document.querySelectorAll('main img, main [onerror]').length), 0,
      'markup became elements on ' + where);
    assert.match(await page.$eval('#agents tr[data-agent="vm4"]', (e) => e.textContent), /<img src=x onerror=alert\(1\)>/);
    assert.equal(await page.$eval('#agents tr[data-agent="vm4"] div.tools', (e) => e.textContent), MARKUP);
    assert.match(await page.$eval('#agents tr[data-agent="vm4"] td.tools', (e) => e.textContent),
      /^ffmpeg <img src=x onerror=alert\(1\)>, x265 1\.0/);
    await noElements('agents');
    await page.click('#nav-jobs');
    await page.waitForSelector('#jobs tr[data-job-id="5"]', WAIT);
    assert.equal(await page.$eval('#jobs tr[data-job-id="5"] td.path', (e) => e.textContent), MARKUP + '.mkv');
    assert.equal(await page.$eval('#jobs tr[data-job-id="5"] td.path', (e) => e.title), FILE);
    await noElements('jobs');
    await page.goto(base + '/#/job/5');
    await page.waitForFunction((f) => document.querySelector('#job-log').textContent.includes(f), WAIT, FILE);
    assert.equal(await page.$eval('#job-summary dd', (e) => e.textContent), FILE);
    assert.equal(await page.$eval('#job-error', (e) => e.textContent), 'ffprobe cannot read ' + FILE);
    assert.equal(await page.$eval('#job-steps tr[data-step="0"] td:last-child', (e) => e.textContent),
      'cannot open ' + MARKUP + '.mkv');
    assert.match(await page.$eval('#job-log', (e) => e.textContent), /enqueued: \/library\/Movies\/<img src=x onerror=alert\(1\)>\.mkv/);
    await noElements('job 5');
    if (shots) await page.screenshot({path: path.join(shots, 'markup-named.png'), fullPage: true});
    assert.deepEqual(dialogs, [], 'no script ran from a file name');

    assert.deepEqual(pageErrors, [], 'no script errors or CSP violations');
  } finally {
    await browser.close();
    fixture.child.kill('SIGTERM');
    rmSync(profile, {recursive: true, force: true});
  }
});

// The fixture's filler jobs 5..JOBS and their states (fixture_server.cc FillerState).
const JOBS = 100000;
const PAGE = 100;  // the dashboard's page size (app.js PAGE_SIZE)
function fillerState(id) {
  if (id % 10 === 0) return 'pending';
  if (id % 7 === 0) return 'failed';
  return 'completed';
}

test('dashboard with 100,000 jobs: one page in the DOM, paging, state filter, live rows', async () => {
  const fixture = startFixture(['--jobs', String(JOBS)]);
  const port = await fixture.port;
  const base = `http://127.0.0.1:${port}`;
  const profile = mkdtempSync(path.join(tmpdir(), 'mkvfleet-chromium-'));
  const shots = process.env.SCREENSHOT_DIR;
  if (shots) mkdirSync(shots, {recursive: true});
  const browser = await launchBrowser(profile);
  const pageErrors = [];
  try {
    const page = await browser.newPage();
    await page.setViewport({width: 1400, height: 900});
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
    const rowIds = () => page.$$eval('#jobs tbody tr', (rows) => rows.map((r) => Number(r.dataset.jobId)));
    const rowStates = () => page.$$eval('#jobs tbody tr', (rows) => rows.map((r) => r.dataset.state));
    const range = () => page.$eval('#jobs-range', (e) => e.textContent);
    // Waits until the first row is `id` (pages load asynchronously, and reload on live events).
    const firstRowIs = (id) => page.waitForFunction((want) => {
      const row = document.querySelector('#jobs tbody tr');
      return row && Number(row.dataset.jobId) === want;
    }, WAIT, id);

    // 1. The newest page renders: exactly one page of rows, newest first, with the total.
    await logIn(page, base);
    pageErrors.length = 0;  // the login page's probe (401) and favicon (404) are logged, as they should be
    await page.waitForSelector(`#jobs tr[data-job-id="${JOBS}"]`, WAIT);
    const first = await rowIds();
    assert.equal(first.length, PAGE);
    assert.deepEqual(first, Array.from({length: PAGE}, (_, i) => JOBS - i));
    assert.equal(await range(), `1–${PAGE} of ${JOBS}`);
    assert.equal(await page.$eval('#jobs-prev', (e) => e.disabled), true);
    assert.match(await page.$eval('#job-counts', (e) => e.textContent), /10000 pending/);
    if (shots) await page.screenshot({path: path.join(shots, 'jobs-100k.png')});

    // 2. Forward twice and back once; each page is the next PAGE ids, the DOM never holds more.
    await page.click('#jobs-next');
    await firstRowIs(JOBS - PAGE);
    assert.equal((await rowIds()).length, PAGE);
    assert.equal(await range(), `${PAGE + 1}–${2 * PAGE} of ${JOBS}`);
    await page.click('#jobs-next');
    await firstRowIs(JOBS - 2 * PAGE);
    assert.deepEqual(await rowIds(), Array.from({length: PAGE}, (_, i) => JOBS - 2 * PAGE - i));
    await page.click('#jobs-prev');
    await firstRowIs(JOBS - PAGE);
    assert.equal(await range(), `${PAGE + 1}–${2 * PAGE} of ${JOBS}`);

    // 3. Filter by state: back to the first page of failed jobs, all rows failed, paged too.
    let failed = 0;
    let newestFailed = 0;
    for (let id = 5; id <= JOBS; id++) {
      if (fillerState(id) === 'failed') { failed++; newestFailed = id; }
    }
    await page.select('#job-filter', 'failed');
    await firstRowIs(newestFailed);
    const failedIds = await rowIds();
    assert.equal(failedIds.length, PAGE);
    assert.ok((await rowStates()).every((s) => s === 'failed'));
    assert.equal(await range(), `1–${PAGE} of ${failed}`);
    await page.click('#jobs-next');
    await page.waitForFunction((last) => {
      const row = document.querySelector('#jobs tbody tr');
      return row && Number(row.dataset.jobId) < last;
    }, WAIT, failedIds[PAGE - 1]);
    assert.ok((await rowStates()).every((s) => s === 'failed'));
    assert.equal((await rowIds()).length, PAGE);

    // 4. The running jobs (1 and 4, far past the first page unfiltered) update live on their page.
    await page.select('#job-filter', 'running');
    await page.waitForSelector('#jobs tr[data-job-id="1"]', WAIT);
    assert.deepEqual(await rowIds(), [4, 1]);
    assert.equal(await page.$eval('#jobs-next', (e) => e.disabled), true);
    await page.waitForFunction(() => document.querySelector('#live').textContent === 'live', WAIT);
    const bar = '#jobs tr[data-job-id="1"] .progress-bar';
    const percent = Number(await page.$eval(bar, (e) => e.dataset.percent));
    await page.waitForFunction((sel, p) => {
      const e = document.querySelector(sel);
      return e && Number(e.dataset.percent) !== p;
    }, WAIT, bar, percent);

    // 5. All states again: the first page, still one page of rows.
    await page.select('#job-filter', '');
    await firstRowIs(JOBS);
    assert.equal((await rowIds()).length, PAGE);

    assert.deepEqual(pageErrors, [], 'no script errors or CSP violations');
  } finally {
    await browser.close();
    fixture.child.kill('SIGTERM');
    rmSync(profile, {recursive: true, force: true});
  }
});
