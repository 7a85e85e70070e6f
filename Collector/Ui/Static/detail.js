// The detail view of a result row: every field of the line with "filter for / filter out", the stored line with copy
// buttons, and the lines around it from the same pod ("Show context", as Kibana's surrounding documents).
import { getJson } from './api.js';
import { addLabelFilter, addLineFilter, addMatcher } from './query.js';
import { parseStored } from './stored.js';
import { button, byTime, cell, entriesOf, identityCell, messageCell, offsetTime, severityCell, timeCell } from './view.js';

// Lines shown before and after the line in its context, and how far in time the context looks for them.
export const CONTEXT_LINES = 5;
const CONTEXT_SPAN_NS = 24n * 3600n * 1000000000n;

// Kubernetes identity params shown as the labels they are (the k8s@32473 element of the Forwarder).
const LABEL_PARAMS = new Set(['namespace', 'pod', 'container', 'workload']);
const ORIGIN_NAMES = { s: 'origin source', p: 'origin bytes' };
const escapeRegex = text => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// { name, value, filter } for every field of the entry, in reading order; filter says what "filter for" adds.
function fieldsOf(entry) {
  const stored = parseStored(entry.line);
  const labels = entry.labels;
  const fields = [];
  const label = (name, labelName = name) => {
    if (labels[labelName]) fields.push({ name, value: labels[labelName], filter: { label: labelName, value: labels[labelName] } });
  };
  label('namespace');
  label('pod');
  label('container');
  label('workload');
  label('node', 'host');
  label('app');
  if (stored.msgid) {
    const name = ['stdout', 'stderr'].includes(stored.msgid) ? 'stream' : 'msgid';
    // FACILITY.SEVERITY MSGID then the SD or its nil: in both layouts, after the tag.
    fields.push({ name, value: stored.msgid, filter: { regex: `\\.[a-z]+ ${escapeRegex(stored.msgid)} [[-]` } });
  }
  if (stored.procid) fields.push({ name: 'procid', value: stored.procid, filter: { text: `[${stored.procid}]:` } });
  if (stored.facility) fields.push({ name: 'facility', value: stored.facility, filter: { regex: `\\s${escapeRegex(stored.facility)}\\.[a-z]+ ` } });
  label('severity');
  for (const element of stored.sd) {
    const k8s = element.id.startsWith('k8s@');
    const origin = element.id.startsWith('o@');
    for (const param of element.params) {
      if (k8s && LABEL_PARAMS.has(param.name) && labels[param.name] === param.value) continue;
      const name = k8s ? param.name : origin ? ORIGIN_NAMES[param.name] ?? `origin ${param.name}` : `${element.id} ${param.name}`;
      fields.push({ name, value: param.value, filter: { text: `${param.name}="${param.raw}"` } });
    }
  }
  // What | json, | logfmt, label_format… extracted: filtered with a label filter after the pipeline.
  for (const [name, value] of Object.entries(entry.fields ?? {})) fields.push({ name, value, parsed: true, filter: { parsed: name, value } });
  return fields;
}

function applyFilter(query, filter, out) {
  if (filter.parsed) return addLabelFilter(query, filter.parsed, out ? '!=' : '=', filter.value);
  if (filter.label) return addMatcher(query, filter.label, out ? '!=' : '=', filter.value);
  if (filter.regex) return addLineFilter(query, out ? '!~' : '|~', filter.regex);
  return addLineFilter(query, out ? '!=' : '|=', filter.text);
}

function copyButton(testid, text, what) {
  const copy = button(testid, `Copy ${what}`);
  copy.addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(text); copy.textContent = 'Copied'; } catch { copy.textContent = 'Copy failed: select the text'; }
  });
  return copy;
}

// The detail row for entry; edit(fn) replaces the query with fn(query) and runs it.
export function detailRow(entry, { colSpan, edit, highlight }) {
  const detail = document.createElement('tr');
  detail.className = 'detail';
  detail.dataset.testid = 'result-detail';
  const td = document.createElement('td');
  td.colSpan = colSpan;

  const table = document.createElement('table');
  table.className = 'fields';
  const time = document.createElement('tr');
  time.append(cell('name', 'time'), cell('actions', ''), cell('value', `${offsetTime(entry.ms)} · ${new Date(entry.ms).toISOString()} · ${entry.ns} ns`));
  table.append(time);
  for (const field of fieldsOf(entry)) {
    const tr = document.createElement('tr');
    tr.dataset.testid = 'detail-field';
    tr.dataset.field = field.name;
    if (field.parsed) { tr.dataset.parsed = 'true'; tr.className = 'parsed'; }
    const actions = cell('actions', '');
    for (const out of [false, true]) {
      const b = button(out ? 'filter-out' : 'filter-for', out ? '−' : '+', `${out ? 'Filter out' : 'Filter for'} ${field.name} ${field.value}`);
      b.addEventListener('click', () => edit(query => applyFilter(query, field.filter, out)));
      actions.append(b);
    }
    tr.append(cell('name', field.name), actions, cell('value', field.value));
    table.append(tr);
  }

  const raw = document.createElement('pre');
  raw.className = 'raw';
  raw.dataset.testid = 'raw-line';
  raw.textContent = entry.line;
  const buttons = document.createElement('div');
  buttons.className = 'buttons';
  const context = document.createElement('div');
  context.className = 'context';
  context.dataset.testid = 'context';
  context.hidden = true;
  const show = button('show-context', 'Show context');
  show.setAttribute('aria-expanded', 'false');
  show.addEventListener('click', () => toggleContext(entry, show, context, highlight));
  buttons.append(copyButton('copy-line', entry.line, 'line'), copyButton('copy-message', entry.message, 'message'), show);
  td.append(table, raw, buttons, context);
  detail.append(td);
  return detail;
}

// The pod's lines (or, for another sender, the host's and app's) around the entry.
export function contextSelector(labels) {
  const matchers = labels.pod ? ['namespace', 'pod'] : ['host', 'app'];
  return `{${matchers.filter(m => labels[m]).map(m => `${m}=${JSON.stringify(labels[m])}`).join(', ')}}`;
}

function toggleContext(entry, show, box, highlight) {
  if (show.getAttribute('aria-expanded') === 'true') {
    show.setAttribute('aria-expanded', 'false');
    show.textContent = 'Show context';
    box.hidden = true;
    return;
  }
  show.setAttribute('aria-expanded', 'true');
  show.textContent = 'Hide context';
  box.hidden = false;
  loadContext(entry, box, highlight, { before: CONTEXT_LINES, after: CONTEXT_LINES });
}

// The context with up to counts.before and counts.after lines; "Earlier" and "Later" ask for CONTEXT_LINES more.
async function loadContext(entry, box, highlight, counts) {
  box.dataset.state = 'loading';
  if (!box.firstChild) box.append(document.createTextNode('Loading the lines around it…'));
  try {
    const { before, after, selector } = await contextOf(entry, counts);
    const title = document.createElement('p');
    title.textContent = `${before.length} lines before and ${after.length} after in ${selector}, oldest first`;
    const more = (testid, text, side, got) => {
      const b = button(testid, text);
      // Fewer than asked for: there are no more within a day of the line.
      b.disabled = got < counts[side];
      b.addEventListener('click', () => loadContext(entry, box, highlight, { ...counts, [side]: counts[side] + CONTEXT_LINES }));
      return b;
    };
    const table = document.createElement('table');
    for (const e of [...before, entry, ...after]) {
      const tr = document.createElement('tr');
      tr.dataset.testid = 'context-line';
      tr.dataset.ns = e.ns;
      if (e === entry) { tr.className = 'anchor'; tr.setAttribute('aria-current', 'true'); }
      tr.append(timeCell(e), severityCell(e.labels), identityCell(e.labels), messageCell(e.message, highlight));
      table.append(tr);
    }
    box.replaceChildren(title, more('context-earlier', `${CONTEXT_LINES} earlier`, 'before', before.length), table,
      more('context-later', `${CONTEXT_LINES} later`, 'after', after.length));
    box.dataset.state = 'done';
  } catch (error) {
    box.replaceChildren(document.createTextNode(`Context failed: ${error.message}`));
    box.dataset.state = 'failed';
  }
}

// Two searches of the same pod, newest first up to the line and oldest first from it; the line itself (found by its
// time and text) divides each answer, so lines of the same nanosecond stay on their side.
async function contextOf(entry, counts) {
  const selector = contextSelector(entry.labels);
  const at = BigInt(entry.ns);
  // Room for lines of the same time as this one that the search meets before it.
  const limit = n => n + 1 + 20;
  const [older, newer] = await Promise.all([
    getJson('/api/v1/query_range', { query: selector, start: String(at - CONTEXT_SPAN_NS), end: String(at + 1n), limit: limit(counts.before), direction: 'backward' }),
    getJson('/api/v1/query_range', { query: selector, start: String(at), end: String(at + CONTEXT_SPAN_NS), limit: limit(counts.after), direction: 'forward' }),
  ]);
  const side = (body, order, count) => {
    const entries = byTime(entriesOf(body.data.result), order);
    const i = entries.findIndex(e => e.ns === entry.ns && e.line === entry.line);
    const rest = i >= 0 ? entries.slice(i + 1) : entries.filter(e => (order < 0 ? BigInt(e.ns) < at : BigInt(e.ns) > at));
    return rest.slice(0, count);
  };
  return { before: side(older, -1, counts.before).reverse(), after: side(newer, 1, counts.after), selector };
}
