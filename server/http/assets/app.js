// mkvfleet dashboard: renders jobs, one job, agents and actions from the JSON API and keeps them
// live from the server-sent event stream (/events). No framework, no build step. The jobs list
// holds one page (newest first, PAGE_SIZE rows) fetched with the API's cursor, so a table of any
// size renders as fast as a small one; live events update the rows on the page.
'use strict';

const PAGE_SIZE = 100;
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const jobs = new Map();    // id -> job JSON of the shown page and the job in detail (with steps)
// The jobs list: cursors[i] fetches page i (cursors[0] = '' is the newest page), `next` the cursor
// after the shown page ('' when it is the last), `ids` its rows in order.
const pager = {cursors: [''], index: 0, next: '', total: 0, counts: {}, ids: [], seq: 0};
let reloadTimer = null;
const agents = new Map();  // name -> agent JSON
let clockOffsetMs = 0;     // server time - browser time, from the stream's hello
let detailId = 0;          // job shown in the detail view, 0 when none
let detailTimer = null;

const $ = (sel) => document.querySelector(sel);
const now = () => Date.now() + clockOffsetMs;

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function badge(text) { return el('span', {class: 'badge ' + text}, text.replace('_', ' ')); }

function duration(ms) {
  if (!(ms > 0)) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return s + 's';
  const m = Math.floor(s / 60);
  if (m < 60) return m + 'm ' + (s % 60) + 's';
  const h = Math.floor(m / 60);
  if (h < 48) return h + 'h ' + (m % 60) + 'm';
  return Math.floor(h / 24) + 'd ' + (h % 24) + 'h';
}
function ago(ms) { return ms > 0 ? (duration(Math.max(1000, now() - ms)) + ' ago') : 'never'; }
function bytes(n) {
  if (!(n > 0)) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return n.toFixed(i ? 1 : 0) + ' ' + units[i];
}
function basename(p) { return p.split('/').pop(); }

function progressBar(p, state) {
  const bar = el('div', {class: 'bar progress-bar'});
  const fill = el('div', {class: 'fill'});
  let pct = p && p.percent >= 0 ? p.percent : (state === 'completed' ? 100 : 0);
  fill.style.width = pct.toFixed(1) + '%';
  bar.dataset.percent = pct.toFixed(1);
  let text = p && p.percent >= 0 ? pct.toFixed(1) + '%' : '';
  if (p && p.frames_done > 0) text += ' · ' + p.frames_done + (p.frames_total ? '/' + p.frames_total : '') + ' frames';
  bar.append(fill, el('span', {class: 'label'}, text));
  return bar;
}

function toast(text) {
  const t = $('#toast');
  t.textContent = text;
  t.classList.add('show');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.remove('show'), 3500);
}

async function api(method, path, body) {
  const opts = {method, headers: {'X-CSRF-Token': csrf}, credentials: 'same-origin'};
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  const res = await fetch(path, opts);
  if (res.status === 401) { location.href = '/'; throw new Error('logged out'); }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error || ('HTTP ' + res.status));
  return data;
}

// "3/8 done, 2 running, 1 failed" for a chunked job, '' otherwise.
function chunkCountsText(c) {
  if (!c || !c.total) return '';
  let text = c.done + '/' + c.total + ' done';
  if (c.running) text += ', ' + c.running + ' running';
  if (c.failed) text += ', ' + c.failed + ' failed';
  return text;
}

// The list's note under a chunked job's progress: "chunked 8 · 3/8 done, 2 running".
function chunkNote(j) {
  const c = j.chunk_counts || {};
  if (c.total) return el('div', {class: 'chunk-note'}, 'chunked ' + c.total + ' · ' + chunkCountsText(c));
  if (j.chunk_manifest) return el('div', {class: 'chunk-note'}, 'chunked');
  return '';
}

// The agents encoding a chunked job's chunks now: "vm1, vm3".
function chunkAgents(j) {
  const names = (j.chunks || []).filter((c) => c.state === 'running' && c.agent).map((c) => c.agent);
  return [...new Set(names)].join(', ');
}

// ---- jobs list ----
function jobRow(j) {
  const p = j.progress || {};
  const running = j.state === 'running';
  const tr = el('tr', {class: 'clickable', 'data-job-id': j.id, 'data-state': j.state},
    el('td', {class: 'num'}, j.id),
    el('td', {class: 'path', title: j.path}, basename(j.path)),
    el('td', {class: 'state'}, badge(j.state)),
    el('td', {}, j.plan || ''),
    el('td', {class: 'step'}, j.step || ''),
    el('td', {class: 'progress'}, progressBar(p, j.state), chunkNote(j)),
    el('td', {class: 'num fps'}, running && p.fps > 0 ? p.fps.toFixed(1) : ''),
    el('td', {class: 'num'}, running && p.eta_ms > 0 ? duration(p.eta_ms) : ''),
    el('td', {class: 'agent'}, j.agent || chunkAgents(j)),
    el('td', {class: 'num'}, j.attempts + (j.max_attempts ? '/' + j.max_attempts : '')),
    el('td', {class: 'num age', 'data-since': j.created_ms}, ago(j.created_ms)));
  tr.addEventListener('click', () => { location.hash = '#/job/' + j.id; });
  return tr;
}

// Fetches the page pager.index of the filtered list and renders it; a later call wins.
async function loadJobs() {
  const filter = $('#job-filter').value;
  const params = new URLSearchParams({order: 'newest', limit: PAGE_SIZE, cursor: pager.cursors[pager.index]});
  if (filter) params.set('state', filter);
  const seq = ++pager.seq;
  const page = await api('GET', '/api/jobs?' + params);
  if (seq !== pager.seq) return;
  for (const id of pager.ids) if (id !== detailId) jobs.delete(id);
  for (const j of page.jobs) jobs.set(j.id, j);
  pager.ids = page.jobs.map((j) => j.id);
  pager.next = page.next_cursor;
  pager.total = page.total;
  pager.counts = page.counts;
  pager.queue = page.queue;
  renderJobs();
}

// "queue: 42 to go, about 5h 20m at 3.0 jobs/h": the fleet's measured pace, from the coordinator.
function queueEtaText(q) {
  if (!q || !q.remaining) return '';
  const left = 'queue: ' + q.remaining + ' to go';
  if (q.eta_ms === null) return left + ' (no job finished recently to time it)';
  return `${left}, about ${duration(q.eta_ms)} at ${q.completed_per_hour.toFixed(1)} jobs/h`;
}

function renderJobs() {
  $('#jobs tbody').replaceChildren(...pager.ids.map((id) => jobRow(jobs.get(id))));
  const all = Object.values(pager.counts).reduce((a, b) => a + b, 0);
  $('#jobs-empty').hidden = all > 0;
  $('#job-counts').textContent = Object.entries(pager.counts).map(([s, n]) => n + ' ' + s.replace('_', ' ')).join(' · ');
  $('#queue-eta').textContent = queueEtaText(pager.queue);
  const first = pager.index * PAGE_SIZE;
  const range = $('#jobs-range');
  range.textContent = pager.ids.length ? `${first + 1}–${first + pager.ids.length} of ${pager.total}` : `0 of ${pager.total}`;
  range.dataset.total = pager.total;
  $('#jobs-prev').disabled = pager.index === 0;
  $('#jobs-next').disabled = !pager.next;
}

// Moves to page `index` (0 = newest; index + 1 only when the shown page has a next cursor).
function goToPage(index) {
  if (index === pager.index + 1) {
    if (!pager.next) return;
    pager.cursors.length = index;
    pager.cursors.push(pager.next);
  }
  if (index < 0 || index >= pager.cursors.length) return;
  pager.index = index;
  loadJobs().catch((e) => toast('Could not load: ' + e.message));
}

// Reloads the shown page at most every 2 s (new jobs on the first page, a row leaving the filter).
function reloadJobsSoon() {
  if (reloadTimer) return;
  reloadTimer = setTimeout(() => {
    reloadTimer = null;
    loadJobs().catch(() => { /* the next event or resync retries */ });
  }, 2000);
}

// A live job event: its row is updated in place when it is on the page.
function updateJobRow(j) {
  const filter = $('#job-filter').value;
  const matches = !filter || j.state === filter;
  const old = document.querySelector(`#jobs tr[data-job-id="${j.id}"]`);
  if (old) {
    old.replaceWith(jobRow(j));
    if (!matches) reloadJobsSoon();
  } else if (pager.index === 0 && matches) {
    reloadJobsSoon();
  }
}

// ---- job detail ----
async function showJob(id) {
  detailId = id;
  try {
    const [job, log] = await Promise.all([api('GET', '/api/jobs/' + id), api('GET', `/api/jobs/${id}/log?tail=500`)]);
    if (detailId !== id) return;
    jobs.set(job.id, job);
    renderJob(job);
    $('#job-log').textContent = log.map(logText).join('\n');
  } catch (e) {
    $('#job-title').textContent = 'Job ' + id;
    $('#job-error').textContent = e.message;
  }
}

function logText(l) {
  return new Date(l.time_ms).toISOString().replace('T', ' ').slice(0, 19) + ' ' + l.source + ' ' + l.level + ': ' + l.text;
}

function renderJob(j) {
  $('#job-title').replaceChildren(document.createTextNode(`Job ${j.id} `), badge(j.state));
  const rows = [['File', j.path], ['Plan', j.plan || '—'], ['Step', j.step || '—'], ['Agent', j.agent || '—'],
    ['Attempts', j.attempts + '/' + j.max_attempts], ['Size', bytes(j.size_bytes)], ['Created', ago(j.created_ms)],
    ['Updated', ago(j.updated_ms)], ['Output', j.output || '—']];
  if (j.state === 'failed' && j.not_before_ms > now()) rows.push(['Retry in', duration(j.not_before_ms - now())]);
  $('#job-summary').replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  $('#job-error').textContent = j.error || '';
  const steps = j.steps || [];
  $('#job-steps tbody').replaceChildren(...steps.map((s) => el('tr', {'data-step': s.index},
    el('td', {class: 'num'}, s.index), el('td', {}, s.name), el('td', {}, badge(s.state)), el('td', {}, s.agent),
    el('td', {}, s.started_ms ? new Date(s.started_ms).toLocaleString() : ''),
    el('td', {class: 'num'}, s.duration_ms ? duration(s.duration_ms) : (s.state === 'running' ? duration(now() - s.started_ms) : '')),
    el('td', {}, s.state === 'running' ? progressBar(s.progress, s.state) : ''),
    el('td', {class: s.state === 'failed' ? 'error' : ''}, s.message))));
  const select = $('#job-reset-step');
  const chosen = select.value;
  const options = steps.length ? steps : [{index: 0, name: 'start'}];
  select.replaceChildren(...options.map((s) => el('option', {value: s.index}, s.index + ' ' + s.name)));
  if (chosen && options.some((s) => String(s.index) === chosen)) select.value = chosen;
  $('#job-cancel').disabled = ['completed', 'skipped', 'failed_permanent', 'cancelled'].includes(j.state);
  renderChunks(j);
  renderBrightness(j);
}

// The title's Dolby Vision brightness plot, an SVG the coordinator draws (escaped, no script) from
// what the agent's probe recorded; fetched once per job once the probe is done, then inlined.
const brightness = {job: 0, loading: false};
async function renderBrightness(j) {
  const probe = (j.steps || []).find((s) => s.name === 'probe');
  const figure = $('#job-brightness');
  if (brightness.job !== j.id) { figure.hidden = true; figure.replaceChildren(); brightness.job = 0; }
  if (brightness.job === j.id || brightness.loading || !probe || probe.state !== 'done') return;
  brightness.loading = true;
  try {
    const res = await fetch('/api/jobs/' + j.id + '/brightness.svg', {credentials: 'same-origin'});
    brightness.job = j.id;  // 204 (no RPUs) is an answer too: do not ask again
    if (res.status !== 200) return;
    const doc = new DOMParser().parseFromString(await res.text(), 'image/svg+xml');
    if (doc.documentElement.nodeName !== 'svg' || detailId !== j.id) return;
    figure.replaceChildren(document.importNode(doc.documentElement, true));
    figure.hidden = false;
  } finally {
    brightness.loading = false;
  }
}

// What the job asked for at enqueue, for the summary before it is chunked.
function chunkingText(j) {
  if (j.chunk_counts && j.chunk_counts.total) return 'chunked ' + j.chunk_counts.total + ': ' + chunkCountsText(j.chunk_counts);
  if (j.chunks_requested === 1) return 'never';
  if (j.chunks_requested >= 2) return j.chunks_requested + ' requested';
  return '';
}

function chunkRow(c) {
  const p = c.progress || {};
  const running = c.state === 'running';
  return el('tr', {'data-chunk': c.index, 'data-state': c.state},
    el('td', {class: 'num'}, c.index),
    el('td', {class: 'num frames'}, c.first_frame + '..' + (c.first_frame + Math.max(c.frames, 1) - 1)),
    el('td', {class: 'state'}, badge(c.state)),
    el('td', {class: 'agent'}, c.agent || ''),
    el('td', {class: 'num retries', title: c.attempts + ' attempt(s)'}, c.retries ? c.retries + ' retr' + (c.retries > 1 ? 'ies' : 'y') : ''),
    el('td', {}, progressBar(p, c.state)),
    el('td', {class: 'num fps'}, running && p.fps > 0 ? p.fps.toFixed(1) : ''),
    el('td', {class: 'num'}, running && p.eta_ms > 0 ? duration(p.eta_ms) : ''),
    el('td', {class: 'error'}, c.error || ''));
}

function renderChunks(j) {
  const chunks = j.chunks || [];
  $('#job-chunks-section').hidden = chunks.length === 0;
  $('#job-chunk-counts').textContent = chunkCountsText(j.chunk_counts);
  $('#job-chunks tbody').replaceChildren(...chunks.map(chunkRow));
  const text = chunkingText(j);
  if (text) $('#job-summary').append(el('dt', {}, 'Chunks'), el('dd', {class: 'chunking'}, text));
}

// The list event carries no steps: refetch the open job, at most every 2 s.
function refreshDetailSoon() {
  if (detailTimer) return;
  detailTimer = setTimeout(async () => {
    detailTimer = null;
    if (!detailId) return;
    try { const job = await api('GET', '/api/jobs/' + detailId); jobs.set(job.id, job); renderJob(job); } catch (e) { /* shown on next load */ }
  }, 2000);
}

// ---- agents ----
// An agent's encode fps over the last hours as a small SVG line (one point per bucket, oldest
// left), scaled to its own peak; the title says the peak and the span.
function sparkline(history) {
  const fps = (history && history.fps) || [];
  const NS = 'http://www.w3.org/2000/svg';
  const W = 120, H = 24;
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('class', 'sparkline');
  svg.setAttribute('width', W);
  svg.setAttribute('height', H);
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const peak = Math.max(0, ...fps);
  const hours = fps.length * ((history && history.bucket_seconds) || 0) / 3600;
  const title = document.createElementNS(NS, 'title');
  title.textContent = peak > 0 ? `peak ${peak.toFixed(1)} fps over the last ${hours} h` : `no encoding in the last ${hours} h`;
  svg.append(title);
  if (fps.length > 1) {
    const line = document.createElementNS(NS, 'polyline');
    const x = (i) => (i * (W - 2) / (fps.length - 1) + 1).toFixed(1);
    const y = (v) => (H - 2 - (peak > 0 ? v / peak : 0) * (H - 4)).toFixed(1);
    line.setAttribute('points', fps.map((v, i) => x(i) + ',' + y(v)).join(' '));
    line.setAttribute('fill', 'none');
    line.setAttribute('stroke', '#1c7ed6');
    line.setAttribute('stroke-width', '1.5');
    svg.append(line);
  }
  return svg;
}

function agentRow(a) {
  const busy = a.current_job_id > 0;
  const drain = el('button', {type: 'button', class: 'drain'}, a.drained ? 'Undrain' : 'Drain');
  drain.addEventListener('click', () => action(() => api('POST', `/api/agents/${encodeURIComponent(a.name)}/drain`, {undrain: a.drained}),
    (r) => (r.drained ? 'Draining ' : 'Undrained ') + r.name));
  const job = busy ? el('a', {href: '#/job/' + a.current_job_id}, '#' + a.current_job_id) : '—';
  return el('tr', {'data-agent': a.name, 'data-status': a.status},
    el('td', {}, el('strong', {}, a.name), el('div', {class: 'tools'}, a.version)),
    el('td', {class: 'status'}, badge(a.status)),
    el('td', {}, job),
    el('td', {class: 'num'}, busy && a.progress.fps > 0 ? a.progress.fps.toFixed(1) : ''),
    el('td', {class: 'throughput'}, sparkline(a.fps_history)),
    el('td', {class: 'tools'}, a.tools.map((t) => t.name + ' ' + t.version).join(', ') || 'none reported'),
    el('td', {class: 'num'}, bytes(a.free_temp_bytes)),
    el('td', {class: 'num heartbeat', 'data-since': a.last_heartbeat_ms}, ago(a.last_heartbeat_ms)),
    el('td', {}, drain));
}

function renderAgents() {
  const list = [...agents.values()].sort((a, b) => a.name.localeCompare(b.name));
  $('#agents tbody').replaceChildren(...list.map(agentRow));
  $('#agents-empty').hidden = agents.size > 0;
}

// ---- actions ----
async function action(run, describe) {
  try {
    const result = await run();
    toast(describe(result));
    return result;
  } catch (e) {
    toast('Refused: ' + e.message);
    $('#action-result').textContent = e.message;
    return null;
  }
}

function wireActions() {
  $('#enqueue-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const paths = $('#enqueue-paths').value.split('\n').map((s) => s.trim()).filter(Boolean);
    const r = await action(() => api('POST', '/api/enqueue', {paths}), (r) => r.length + ' path(s) handled');
    if (r) $('#action-result').textContent = r.map((x) => `${x.outcome}\t${x.job_id || ''}\t${x.path}${x.reason ? '\t' + x.reason : ''}`).join('\n');
  });
  $('#reset-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    action(() => api('POST', `/api/jobs/${$('#reset-id').value}/reset`, {from_step: Number($('#reset-step').value || 0)}),
      (j) => `Job ${j.id} reset: ${j.state}`);
  });
  $('#cancel-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    action(() => api('POST', `/api/jobs/${$('#cancel-id').value}/cancel`), (j) => `Job ${j.id} ${j.state}`);
  });
  $('#drain-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const name = $('#drain-name').value.trim();
    action(() => api('POST', `/api/agents/${encodeURIComponent(name)}/drain`, {undrain: $('#drain-undo').checked}),
      (a) => (a.drained ? 'Draining ' : 'Undrained ') + a.name);
  });
  $('#job-reset').addEventListener('click', () => {
    const id = detailId;
    action(() => api('POST', `/api/jobs/${id}/reset`, {from_step: Number($('#job-reset-step').value || 0)}),
      (j) => { jobs.set(j.id, j); renderJob(j); return `Job ${j.id} reset: ${j.state}`; });
  });
  $('#job-cancel').addEventListener('click', () => {
    const id = detailId;
    if (!confirm(`Cancel job ${id}?`)) return;
    action(() => api('POST', `/api/jobs/${id}/cancel`), (j) => { renderJob(j); return `Job ${j.id} ${j.state}`; });
  });
  $('#job-filter').addEventListener('change', () => {
    pager.cursors = [''];
    goToPage(0);
  });
  $('#jobs-prev').addEventListener('click', () => goToPage(pager.index - 1));
  $('#jobs-next').addEventListener('click', () => goToPage(pager.index + 1));
  $('#logout').addEventListener('click', async () => {
    try { await api('POST', '/logout'); } finally { location.href = '/'; }
  });
}

// ---- routing and live updates ----
function route() {
  const hash = location.hash || '#/jobs';
  const m = hash.match(/^#\/job\/(\d+)/);
  const view = m ? 'job' : (hash.slice(2) || 'jobs');
  for (const v of ['jobs', 'job', 'agents', 'actions']) $('#view-' + v).hidden = v !== view;
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.getAttribute('href') === '#/' + (view === 'job' ? 'jobs' : view));
  detailId = 0;
  if (m) showJob(Number(m[1]));
}

async function loadAll() {
  try {
    const [, as] = await Promise.all([loadJobs(), api('GET', '/api/agents')]);
    agents.clear();
    for (const a of as) agents.set(a.name, a);
    renderAgents();
    if (detailId) showJob(detailId);
  } catch (e) {
    toast('Could not load: ' + e.message);
  }
}

function connect() {
  const live = $('#live');
  const source = new EventSource('/events');
  source.addEventListener('open', () => { live.textContent = 'live'; live.classList.remove('off'); loadAll(); });
  source.addEventListener('error', () => { live.textContent = 'reconnecting…'; live.classList.add('off'); });
  source.addEventListener('hello', (e) => { clockOffsetMs = JSON.parse(e.data).server_time_ms - Date.now(); });
  source.addEventListener('resync', loadAll);
  source.addEventListener('job', (e) => {
    const j = JSON.parse(e.data).job;
    const known = jobs.get(j.id);
    if (known && known.steps && known.steps.length && !(j.steps && j.steps.length)) j.steps = known.steps;
    // Events may come without chunks: keep the ones known while the job is still the same chunking.
    if (known && known.chunks && known.chunks.length && !(j.chunks && j.chunks.length) &&
        (!j.chunk_manifest || j.chunk_manifest === known.chunk_manifest) &&
        ['pending', 'running'].includes(j.state)) {
      j.chunks = known.chunks;
      j.chunk_counts = known.chunk_counts;
    }
    if (known) jobs.set(j.id, j);
    updateJobRow(j);
    if (j.id === detailId) { renderJob(j); refreshDetailSoon(); }
  });
  source.addEventListener('agent', (e) => {
    const a = JSON.parse(e.data).agent;
    const known = agents.get(a.name);
    if (!a.fps_history && known) a.fps_history = known.fps_history;  // events carry no history
    agents.set(a.name, a);
    renderAgents();
  });
  source.addEventListener('log', (e) => {
    const ev = JSON.parse(e.data);
    if (ev.job_id !== detailId) return;
    const pre = $('#job-log');
    pre.textContent += (pre.textContent ? '\n' : '') + logText(ev.log);
    pre.scrollTop = pre.scrollHeight;
  });
}

// Ages and heartbeats tick without any event.
setInterval(() => {
  for (const td of document.querySelectorAll('[data-since]')) td.textContent = ago(Number(td.dataset.since));
}, 1000);

wireActions();
window.addEventListener('hashchange', route);
route();
connect();
