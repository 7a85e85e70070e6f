// The kube-syslog web UI: query bar, time range in the URL, volume histogram, fields, results, live tail.
import { ApiError, getJson, openTail } from './api.js';
import { detailRow } from './detail.js';
import { addLabelFilter, addMatcher, completionContext, highlighter, isMetric } from './query.js';
import {
  SEVERITIES, byTime, cell, entriesOf, identityCell, localTime, messageCell, msOf, severityCell, severityCode, timeCell,
} from './view.js';

const $ = id => document.getElementById(id);
const PRESETS = { '15m': 15 * 60e3, '1h': 3600e3, '6h': 6 * 3600e3, '24h': 24 * 3600e3, '7d': 7 * 24 * 3600e3 };
const HISTORY_KEY = 'kube-syslog-history';
const PAGE = 100;

const state = { query: '', range: '1h', from: 0, to: 0, direction: 'backward', cursor: null, entries: [], run: null, highlight: null, span: null, gaps: Promise.resolve(new Map()) };
const el = { query: $('query'), range: $('range'), from: $('from'), to: $('to'), direction: $('direction'), rows: $('results').tBodies[0] };

// ---- URL state: ?query=…&range=1h or &from=ISO&to=ISO, &direction=forward
function readUrl() {
  const p = new URLSearchParams(location.search);
  state.query = p.get('query') ?? '';
  state.direction = p.get('direction') === 'forward' ? 'forward' : 'backward';
  const from = Date.parse(p.get('from') ?? ''), to = Date.parse(p.get('to') ?? '');
  if (Number.isFinite(from) && Number.isFinite(to) && from < to) Object.assign(state, { range: 'abs', from, to });
  else state.range = PRESETS[p.get('range')] ? p.get('range') : '1h';
  el.query.value = state.query;
  el.range.value = state.range;
  el.direction.value = state.direction;
  showAbsolute();
}

function urlOf() {
  const p = new URLSearchParams();
  if (state.query) p.set('query', state.query);
  if (state.range === 'abs') { p.set('from', new Date(state.from).toISOString()); p.set('to', new Date(state.to).toISOString()); }
  else p.set('range', state.range);
  if (state.direction === 'forward') p.set('direction', 'forward');
  return `${location.pathname}?${p}`;
}

const localInput = ms => { const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60e3); return d.toISOString().slice(0, 19); };

function showAbsolute() {
  $('absolute').hidden = state.range !== 'abs';
  if (state.range === 'abs') { el.from.value = localInput(state.from); el.to.value = localInput(state.to); }
}

function span() {
  if (state.range === 'abs') return [state.from, state.to];
  const now = Date.now();
  return [now - PRESETS[state.range], now + 1];
}

const ns = ms => `${Math.floor(ms)}000000`;

// ---- Errors
function showError(error) {
  const box = $('error');
  if (!error) { box.hidden = true; box.textContent = ''; el.query.classList.remove('invalid'); return; }
  let text = error.message;
  if (error instanceof ApiError && error.position !== null) {
    text += `\n${state.query}\n${' '.repeat(Math.max(0, error.position))}^`;
    el.query.classList.add('invalid');
    el.query.setSelectionRange(error.position, error.position);
  }
  box.textContent = text;
  box.hidden = false;
}

// ---- Running a query
async function run({ push = true } = {}) {
  state.run?.abort();
  const controller = new AbortController();
  state.run = controller;
  state.query = el.query.value.trim();
  state.direction = el.direction.value;
  if (push && urlOf() !== location.pathname + location.search) history.pushState(null, '', urlOf());
  remember(state.query);
  hideSuggestions();
  showError(null);
  performance.clearMarks(); performance.clearMeasures();
  performance.mark('ks-run');
  const [start, end] = span();
  state.span = [start, end];
  state.highlight = highlighter(state.query);
  state.entries = [];
  state.cursor = null;
  el.rows.replaceChildren();
  $('metric').replaceChildren();
  $('metric').hidden = true;
  $('scroller').hidden = false;
  $('histogram').hidden = false;
  $('status').textContent = 'Searching…';
  if (isMetric(state.query)) {
    stopTail();
    await runMetric(controller, start, end);
    return;
  }
  // Known holes in sources (docs/sources.md): a marker row goes where a source's lines are missing.
  state.gaps = getJson('/api/v1/sources', {}, controller.signal).then(body => gapIndex(body.data.sources)).catch(() => new Map());
  // Rows first: on a small machine the Collector runs one search at a time, and the rows matter most.
  const results = page(controller).then(() => afterPaint('ks-results'));
  const step = Math.max(1, Math.ceil((end - start) / 1000 / 120));
  const volume = getJson('/api/v1/volume_range', { query: state.query || '{}', start: ns(start), end: ns(end), step }, controller.signal)
    .then(body => { if (!controller.signal.aborted) { drawHistogram(body.data); afterPaint('ks-histogram'); } });
  try {
    await Promise.all([results, volume]);
  } catch (error) {
    if (error.name !== 'AbortError' && !controller.signal.aborted) { showError(error); $('status').textContent = ''; }
  }
  // The tail adds lines at the top, which is only right newest first: oldest first stops it.
  if (tail.socket && state.direction === 'forward') {
    stopTail();
    $('notice').textContent = 'Live tail stopped: it shows newest lines first, and the order is now oldest first.';
    $('notice').hidden = false;
  } else if (tail.wanted || (tail.socket && tail.run !== controller)) {
    // A tail opened while this run was searching (its histogram can come seconds after the rows) already follows
    // this query: opening it again would drop its socket and its count of missed lines.
    tail.wanted = false;
    startTail();
  }
}

// ---- A metric query typed in the bar: evaluated by the Loki route, shown as a table of series (one row each: its
// labels, its points, the last, smallest and largest value) in place of the rows and histogram.
async function runMetric(controller, start, end) {
  $('histogram').replaceChildren();
  $('histogram').hidden = true;
  $('fields').replaceChildren();
  $('load-more').hidden = true;
  const step = Math.max(1, Math.ceil((end - start) / 1000 / 120));
  try {
    const body = await getJson('/loki/api/v1/query_range', { query: state.query, start: ns(start), end: ns(end), step }, controller.signal);
    if (controller.signal.aborted) return;
    drawMetric(body.data, step);
    afterPaint('ks-results');
  } catch (error) {
    if (error.name !== 'AbortError' && !controller.signal.aborted) { showError(error); $('status').textContent = ''; }
  }
}

const labelText = metric => `{${Object.entries(metric ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
const number = v => (Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/\.?0+$/, ''));

function drawMetric(data, step) {
  const series = data.resultType === 'scalar' ? [{ metric: {}, values: [data.result] }]
    : (data.result ?? []).map(s => ({ metric: s.metric, values: s.values ?? (s.value ? [s.value] : []) }));
  const table = document.createElement('table');
  table.className = 'metric';
  const head = document.createElement('tr');
  for (const name of ['Series', 'Points', 'Last', 'Min', 'Max']) { const th = document.createElement('th'); th.textContent = name; head.append(th); }
  table.createTHead().append(head);
  const body = table.createTBody();
  for (const s of series) {
    const values = s.values.map(([, v]) => Number(v));
    const tr = document.createElement('tr');
    tr.dataset.testid = 'metric-series';
    tr.append(cell('labels', labelText(s.metric)), cell('num', String(values.length)),
      cell('num', values.length ? number(values[values.length - 1]) : ''), cell('num', values.length ? number(Math.min(...values)) : ''),
      cell('num', values.length ? number(Math.max(...values)) : ''));
    tr.title = s.values.map(([t, v]) => `${localTime(t * 1000)}  ${v}`).join('\n');
    body.append(tr);
  }
  $('metric').replaceChildren(table);
  $('metric').hidden = false;
  $('scroller').hidden = true;
  $('status').textContent = `Metric query: ${series.length} series, a point every ${step} s (hover a row for its values)`;
}

function afterPaint(name) {
  requestAnimationFrame(() => setTimeout(() => performance.measure(name, 'ks-run'), 0));
}

async function page(controller) {
  const [start, end] = state.span;
  const body = await getJson('/api/v1/query_range', {
    query: state.query || '{}', start: ns(start), end: ns(end), limit: PAGE, direction: state.direction, cursor: state.cursor,
  }, controller.signal);
  if (controller.signal.aborted) return;
  const entries = flatten(body.data.result);
  const gaps = await state.gaps;
  if (controller.signal.aborted) return;
  state.cursor = body.data.cursor;
  state.entries.push(...entries);
  appendRows(entries, gaps);
  renderFields();
  const stats = body.data.stats;
  $('status').textContent = `${state.entries.length} lines${state.cursor ? ' (more available)' : ''} · ${(stats.durationSeconds * 1000).toFixed(0)} ms on the server, ${stats.blocksSkipped} of ${stats.blocks} blocks skipped${stats.partial ? ' · partial: time budget reached' : ''}`;
  $('load-more').hidden = !state.cursor;
}

// Streams flattened and ordered by time (the API groups lines by label set).
const flatten = streams => byTime(entriesOf(streams), state.direction === 'forward' ? 1 : -1);

// ---- Results table: time (local, the offset on hover), severity colour, namespace/pod/container, the message.
// Rows are focusable; a click, Enter or Space opens the detail view (one listener for the whole table).
const COLUMNS = 4;

function row(entry) {
  const tr = document.createElement('tr');
  tr.dataset.testid = 'result-row';
  tr.dataset.ns = entry.ns;
  tr.tabIndex = 0;
  tr.setAttribute('aria-expanded', 'false');
  tr.entry = entry;
  tr.append(timeCell(entry), severityCell(entry.labels), identityCell(entry.labels), messageCell(entry.message, state.highlight));
  return tr;
}

function toggleDetail(tr) {
  if (tr.nextElementSibling?.classList.contains('detail')) {
    tr.nextElementSibling.remove();
    tr.setAttribute('aria-expanded', 'false');
    return;
  }
  tr.after(detailRow(tr.entry, { colSpan: COLUMNS, edit, highlight: state.highlight }));
  tr.setAttribute('aria-expanded', 'true');
}

// A filter button of the detail view: the query changed by fn, then run.
function edit(fn) {
  el.query.value = fn(el.query.value);
  run();
}

function rowEvents() {
  el.rows.addEventListener('click', event => {
    const tr = event.target.closest('tr[data-testid=result-row]');
    if (tr && !window.getSelection()?.toString() && !event.target.closest('button')) toggleDetail(tr);
  });
  el.rows.addEventListener('keydown', event => {
    if ((event.key === 'Enter' || event.key === ' ') && event.target.matches('tr[data-testid=result-row]')) {
      event.preventDefault();
      toggleDetail(event.target);
    }
  });
}

function appendRows(entries, gaps = new Map()) {
  const fragment = document.createDocumentFragment();
  for (const entry of entries) {
    const gap = gapBefore(entry, gaps);
    // Oldest first the hole comes before the line after it; newest first, below it.
    if (gap && state.direction === 'forward') fragment.append(gapRow(gap));
    fragment.append(row(entry));
    if (gap && state.direction !== 'forward') fragment.append(gapRow(gap));
  }
  el.rows.append(fragment);
}

// ---- Gaps: the Forwarder's origin element [o@32473 s="ID" p="FROM-TO"] on a line whose FROM ends a known gap
const ORIGIN = /\[o@32473 s="([0-9a-f]{16})" p="(\d+)-(\d+)"/;

function gapIndex(sources) {
  const gaps = new Map();
  for (const source of sources ?? []) {
    const who = source.pod ? `${source.namespace ?? ''}/${source.pod}/${source.container ?? ''}` : (source.path ?? source.id);
    for (const range of source.gaps?.ranges ?? []) gaps.set(`${source.id}:${range.to}`, { bytes: range.to - range.from, who, node: source.node, from: range.from, to: range.to });
  }
  return gaps;
}

function gapBefore(entry, gaps) {
  if (gaps.size === 0) return null;
  const origin = ORIGIN.exec(entry.line);
  return origin ? gaps.get(`${origin[1]}:${origin[2]}`) ?? null : null;
}

function gapRow(gap) {
  const tr = document.createElement('tr');
  tr.className = 'gap';
  tr.dataset.testid = 'gap-row';
  const td = cell('gap', `${gap.bytes} bytes of ${gap.who} (node ${gap.node}) missing here`);
  td.colSpan = COLUMNS;
  td.title = `bytes ${gap.from}-${gap.to} of the source never arrived`;
  tr.append(td);
  return tr;
}

// ---- Fields sidebar: labels of the lines shown, top values with counts
// The fixed labels, then the pod labels the lines carry, by name (docs/kubernetes-metadata.md), then the fields a
// pipeline's parsers extracted (the 12 found on most lines); a click on one of those adds a label filter after the
// pipeline (| name="value") instead of a matcher.
const FIXED_FIELDS = ['namespace', 'pod', 'container', 'workload', 'host', 'app', 'severity'];
const MAX_PARSED = 12;

function renderFields() {
  const box = $('fields');
  box.replaceChildren();
  const seen = new Map();
  for (const e of state.entries) for (const name of Object.keys(e.fields ?? {})) seen.set(name, (seen.get(name) ?? 0) + 1);
  const parsed = [...seen].filter(([name]) => !FIXED_FIELDS.includes(name)).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, MAX_PARSED).map(([name]) => name);
  const podLabels = [...new Set(state.entries.flatMap(e => Object.keys(e.labels)))]
    .filter(n => !FIXED_FIELDS.includes(n) && !seen.has(n)).sort();
  for (const name of [...FIXED_FIELDS, ...podLabels, ...parsed]) {
    const isParsed = parsed.includes(name);
    const valueOf = e => (isParsed ? e.fields?.[name] : e.labels[name]);
    const counts = new Map();
    for (const e of state.entries) if (valueOf(e)) counts.set(valueOf(e), (counts.get(valueOf(e)) ?? 0) + 1);
    if (counts.size === 0) continue;
    const h = document.createElement('h3');
    h.textContent = `${name} (${counts.size})`;
    if (isParsed) { h.className = 'parsed'; h.title = 'extracted by the pipeline'; }
    box.append(h);
    for (const [value, count] of [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 8)) {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.testid = 'field-value';
      b.dataset.label = name;
      b.dataset.value = value;
      if (isParsed) b.dataset.parsed = 'true';
      b.title = isParsed ? `Click: | ${name}="${value}" · Alt+click: | ${name}!="${value}"` : `Click: ${name}="${value}" · Alt+click: ${name}!="${value}"`;
      const v = document.createElement('span'); v.textContent = value;
      const c = document.createElement('span'); c.className = 'count'; c.textContent = count;
      b.append(v, c);
      b.addEventListener('click', event => {
        el.query.value = (isParsed ? addLabelFilter : addMatcher)(el.query.value, name, event.altKey ? '!=' : '=', value);
        run();
      });
      box.append(b);
    }
  }
}

// ---- Histogram: stacked bars per severity from /api/v1/volume_range; drag to narrow the range
const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function drawHistogram(data) {
  const box = $('histogram');
  const width = box.clientWidth || 800, height = box.clientHeight || 110, axis = 14;
  const start = msOf(data.start), end = msOf(data.end), stepMs = data.step * 1000;
  const buckets = Math.max(1, Math.ceil((end - start) / stepMs));
  const stacks = Array.from({ length: buckets }, () => new Array(9).fill(0));
  for (const series of data.result) {
    const s = severityCode(series.metric.severity);
    for (const [t, count] of series.values) {
      const b = Math.round((t * 1000 - start) / stepMs);
      if (b >= 0 && b < buckets) stacks[b][s] += Number(count);
    }
  }
  const max = Math.max(1, ...stacks.map(s => s.reduce((a, c) => a + c, 0)));
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none', 'data-max': max });
  const barWidth = width / buckets;
  stacks.forEach((stack, b) => {
    let y = height - axis;
    const bucketStart = start + b * stepMs;
    for (let s = 8; s >= 0; s--) {
      if (!stack[s]) continue;
      const h = Math.max(1, (stack[s] / max) * (height - axis - 10));
      y -= h;
      const rect = svg('rect', { class: `bar s${s}`, x: b * barWidth, y, width: Math.max(1, barWidth - 1), height: h,
        'data-start': bucketStart / 1000, 'data-bucket': b, 'data-severity': SEVERITIES[s] ?? '', 'data-count': stack[s] });
      const title = svg('title', {});
      title.textContent = `${localTime(bucketStart)}: ${stack[s]} ${SEVERITIES[s] ?? 'unknown'}`;
      rect.append(title);
      root.append(rect);
    }
  });
  for (const [x, anchor, ms] of [[2, 'start', start], [width / 2, 'middle', (start + end) / 2], [width - 2, 'end', end]]) {
    const t = svg('text', { class: 'axis', x, y: height - 3, 'text-anchor': anchor });
    t.textContent = localTime(ms).slice(0, 19);
    root.append(t);
  }
  const top = svg('text', { class: 'axis', x: 2, y: 10 });
  top.textContent = `${max} lines per ${data.step >= 60 ? `${+(data.step / 60).toFixed(1)} min` : `${data.step} s`}`;
  root.append(top);
  box.replaceChildren(root);
  box.dataset.start = start;
  box.dataset.end = end;
}

function dragToNarrow() {
  const box = $('histogram');
  let x0 = null, selection = null;
  const x = event => Math.min(Math.max(event.clientX - box.getBoundingClientRect().left, 0), box.clientWidth);
  box.addEventListener('mousedown', event => {
    if (!box.dataset.start) return;
    x0 = x(event);
    selection = svg('rect', { class: 'selection', x: x0, y: 0, width: 0, height: box.clientHeight });
    box.querySelector('svg')?.append(selection);
    event.preventDefault();
  });
  window.addEventListener('mousemove', event => {
    if (x0 === null) return;
    const x1 = x(event);
    selection.setAttribute('x', Math.min(x0, x1));
    selection.setAttribute('width', Math.abs(x1 - x0));
  });
  window.addEventListener('mouseup', event => {
    if (x0 === null) return;
    const x1 = x(event), a = Math.min(x0, x1), b = Math.max(x0, x1);
    x0 = null;
    selection?.remove();
    if (b - a < 4) return;
    const start = Number(box.dataset.start), end = Number(box.dataset.end), w = box.clientWidth;
    Object.assign(state, { range: 'abs', from: Math.floor(start + (a / w) * (end - start)), to: Math.ceil(start + (b / w) * (end - start)) });
    el.range.value = 'abs';
    showAbsolute();
    run();
  });
}

// ---- Live tail over the WebSocket tail endpoint
// run: the search (its AbortController) that was current when the tail opened.
const tail = { socket: null, missed: 0, held: [], wanted: false, run: null };

function startTail() {
  stopTail(false);
  tail.missed = 0;
  tail.held = [];
  const socket = openTail({ query: state.query || '{}', start: ns(Date.now()), limit: 1 });
  tail.socket = socket;
  tail.run = state.run;
  socket.onopen = () => { $('tail').dataset.state = 'open'; };
  socket.onmessage = message => {
    const frame = JSON.parse(message.data);
    // Our Collector counts every dropped line in dropped_count; Loki lists (some of) them in dropped_entries.
    tail.missed += frame.dropped_count ?? frame.dropped_entries?.length ?? 0;
    const entries = entriesOf(frame.streams);
    tail.held.push(...entries);
    if ($('scroller').scrollTop <= 2) flushTail();
    showTailNotice();
  };
  socket.onclose = () => {
    if (tail.socket !== socket) return;
    tail.socket = null;
    setTailButton(false);
    $('notice').textContent = 'Live tail ended: the connection closed.';
    $('notice').hidden = false;
  };
  setTailButton(true);
  showTailNotice();
}

function stopTail(update = true) {
  const socket = tail.socket;
  tail.socket = null;
  socket?.close();
  if (update) { setTailButton(false); $('notice').hidden = true; }
}

function flushTail() {
  if (!tail.held.length) return;
  // A frame groups its lines by label set, so held lines are not in time order: newest first at the top.
  tail.held.sort((a, b) => (BigInt(a.ns) < BigInt(b.ns) ? 1 : BigInt(a.ns) > BigInt(b.ns) ? -1 : 0));
  const fragment = document.createDocumentFragment();
  for (const entry of tail.held) {
    const tr = row(entry);
    tr.classList.add('new');
    fragment.append(tr);
  }
  state.entries.unshift(...tail.held);
  tail.held = [];
  el.rows.prepend(fragment);
  renderFields();
}

function showTailNotice() {
  const parts = ['Live tail on'];
  if (tail.held.length) parts.push(`paused while scrolled: ${tail.held.length} new lines above (scroll to the top)`);
  if (tail.missed) parts.push(`${tail.missed} missed (the server dropped them: this browser was too slow)`);
  $('notice').textContent = parts.join(' · ');
  $('notice').hidden = false;
}

function setTailButton(on) {
  if (!on) delete $('tail').dataset.state;
  $('tail').setAttribute('aria-pressed', String(on));
  $('tail').textContent = on ? 'Stop tail' : 'Live tail';
}

// ---- Query history and autocompletion (labels and values from the API)
const history_ = () => { try { return JSON.parse(localStorage.getItem(HISTORY_KEY)) ?? []; } catch { return []; } };
function remember(query) {
  if (!query) return;
  localStorage.setItem(HISTORY_KEY, JSON.stringify([query, ...history_().filter(q => q !== query)].slice(0, 20)));
}

const cache = new Map();
function cached(key, load) {
  if (!cache.has(key)) cache.set(key, load().catch(() => { cache.delete(key); return []; }));
  return cache.get(key);
}

let suggestions = [], active = -1;
async function suggest() {
  const before = el.query.value.slice(0, el.query.selectionStart);
  const context = completionContext(before);
  let items;
  if (!el.query.value.trim()) {
    items = history_().map(q => ({ text: q, kind: 'recent', replace: true }));
  } else if (context?.kind === 'label') {
    const names = await cached('labels', () => getJson('/api/v1/labels', { since: '24h' }).then(b => b.data));
    items = names.filter(n => n.startsWith(context.prefix)).map(n => ({ text: n, insert: `${n.slice(context.prefix.length)}="`, kind: 'label' }));
  } else if (context?.kind === 'value') {
    const values = await cached(`values:${context.label}`, () => getJson(`/api/v1/label/${encodeURIComponent(context.label)}/values`, { since: '24h' }).then(b => b.data));
    items = values.filter(v => v.includes(context.prefix)).slice(0, 50)
      .map(v => ({ text: v, kind: context.label, insert: `${JSON.stringify(v).slice(1, -1)}"`, drop: context.prefix.length }));
  } else {
    items = [];
  }
  if (before !== el.query.value.slice(0, el.query.selectionStart)) return;
  showSuggestions(items);
}

function showSuggestions(items) {
  suggestions = items;
  active = -1;
  const list = $('suggestions');
  list.replaceChildren(...items.map((item, i) => {
    const li = document.createElement('li');
    li.dataset.testid = 'suggestion';
    li.textContent = item.text;
    const kind = document.createElement('span'); kind.className = 'kind'; kind.textContent = item.kind;
    li.append(kind);
    li.addEventListener('mousedown', event => { event.preventDefault(); accept(i); });
    return li;
  }));
  list.hidden = items.length === 0;
}

function hideSuggestions() { $('suggestions').hidden = true; suggestions = []; active = -1; }

function accept(i) {
  const item = suggestions[i];
  if (!item) return;
  if (item.replace) {
    el.query.value = item.text;
  } else {
    const caret = el.query.selectionStart;
    const head = el.query.value.slice(0, caret - (item.drop ?? 0));
    el.query.value = head + item.insert + el.query.value.slice(caret);
    const at = head.length + item.insert.length;
    el.query.setSelectionRange(at, at);
  }
  hideSuggestions();
  el.query.focus();
  // A label name was inserted with its `="`: offer its values right away, as typing `="` would.
  if (item.kind === 'label') suggest();
}

function moveActive(delta) {
  if (!suggestions.length) return false;
  active = (active + delta + suggestions.length) % suggestions.length;
  [...$('suggestions').children].forEach((li, i) => li.classList.toggle('active', i === active));
  return true;
}

// ---- Wiring
function init() {
  readUrl();
  history.replaceState(null, '', urlOf());
  $('query-form').addEventListener('submit', event => { event.preventDefault(); run(); });
  el.query.addEventListener('keydown', event => {
    if (event.key === 'ArrowDown' && moveActive(1)) event.preventDefault();
    else if (event.key === 'ArrowUp' && moveActive(-1)) event.preventDefault();
    else if ((event.key === 'Tab' || event.key === 'Enter') && active >= 0) { event.preventDefault(); accept(active); }
    else if (event.key === 'Escape') hideSuggestions();
  });
  el.query.addEventListener('input', () => { el.query.classList.remove('invalid'); suggest(); });
  el.query.addEventListener('focus', suggest);
  el.query.addEventListener('blur', () => setTimeout(hideSuggestions, 150));
  el.range.addEventListener('change', () => {
    if (el.range.value === 'abs') {
      const [from, to] = span();
      Object.assign(state, { range: 'abs', from: Math.floor(from), to: Math.ceil(to) });
      showAbsolute();
      return;
    }
    state.range = el.range.value;
    showAbsolute();
    run();
  });
  for (const input of [el.from, el.to]) {
    input.addEventListener('change', () => {
      const from = new Date(el.from.value).getTime(), to = new Date(el.to.value).getTime();
      if (Number.isFinite(from) && Number.isFinite(to) && from < to) { Object.assign(state, { from, to }); run(); }
    });
  }
  el.direction.addEventListener('change', () => run());
  $('load-more').addEventListener('click', async () => {
    const controller = state.run ?? new AbortController();
    try { await page(controller); } catch (error) { if (error.name !== 'AbortError') showError(error); }
  });
  $('tail').addEventListener('click', () => {
    if (tail.socket) { stopTail(); return; }
    if (state.direction !== 'forward') { startTail(); return; }
    // New lines go on top: switch to newest first, search again, then tail (run() starts it when done).
    el.direction.value = 'backward';
    tail.wanted = true;
    run();
  });
  $('scroller').addEventListener('scroll', () => { if ($('scroller').scrollTop <= 2 && tail.held.length) { flushTail(); showTailNotice(); } });
  document.addEventListener('keydown', event => {
    if (event.key === '/' && !event.target.closest('input, textarea, select')) { event.preventDefault(); el.query.focus(); }
  });
  window.addEventListener('popstate', () => { readUrl(); run({ push: false }); });
  dragToNarrow();
  rowEvents();
  run({ push: false });
}

init();
