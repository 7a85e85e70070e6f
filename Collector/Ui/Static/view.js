// What the results table and the detail view share: entries from the API, times, severities, the pod identity and the
// message cell (matches highlighted, a long multiline message collapsed).
export const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

// A message longer than this many lines shows its first ones and a "show all" button.
export const COLLAPSED_LINES = 10;

export const msOf = nsText => Number(BigInt(nsText) / 1000000n);

// values[i] = [ns, stored line, { message, parsed }] (docs/api.md): the message with its real newlines and, after a
// pipeline, the labels its stages extracted; a frame without the third element (Loki's) shows the stored line.
export function entriesOf(streams) {
  return (streams ?? []).flatMap(s => s.values.map(([t, line, meta]) => ({
    ns: t, ms: msOf(t), labels: s.stream ?? {}, line, message: typeof meta?.message === 'string' ? meta.message : line,
    fields: meta?.parsed && typeof meta.parsed === 'object' ? meta.parsed : {},
  })));
}

// Ordered by time, oldest first when order is 1, newest first when -1 (stable: equal times keep the API's order).
export function byTime(entries, order) {
  return entries.sort((a, b) => (BigInt(a.ns) < BigInt(b.ns) ? -order : BigInt(a.ns) > BigInt(b.ns) ? order : 0));
}

export const severityCode = name => { const i = SEVERITIES.indexOf(name); return i < 0 ? 8 : i; };

const pad = (n, w = 2) => String(n).padStart(w, '0');

export function localTime(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function offsetTime(ms) {
  const off = -new Date(ms).getTimezoneOffset();
  return `${localTime(ms).replace(' ', 'T')}${off < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
}

// namespace/pod/container, as the stored line's front shows it; host and app for a line of another sender.
export function identity(labels) {
  if (labels.pod) return { text: `${labels.namespace ?? '-'}/${labels.pod}/${labels.container ?? '-'}`, title: 'namespace/pod/container' };
  return { text: [labels.host, labels.app].filter(Boolean).join(' '), title: 'host app' };
}

export function cell(className, text) {
  const td = document.createElement('td');
  td.className = className;
  td.textContent = text;
  return td;
}

export function button(testid, text, label) {
  const b = document.createElement('button');
  b.type = 'button';
  b.dataset.testid = testid;
  b.textContent = text;
  if (label) { b.setAttribute('aria-label', label); b.title = label; }
  return b;
}

export function timeCell(entry) {
  const time = cell('time', localTime(entry.ms));
  time.title = offsetTime(entry.ms);
  return time;
}

export function severityCell(labels) {
  const name = labels.severity ?? 'unknown';
  const sev = cell(`sev s${severityCode(labels.severity)}`, '');
  sev.title = name;
  const hidden = document.createElement('span');
  hidden.className = 'visually-hidden';
  hidden.textContent = name;
  sev.append(hidden);
  return sev;
}

export function identityCell(labels) {
  const { text, title } = identity(labels);
  const td = cell('identity', text);
  td.title = title;
  return td;
}

// Text nodes with every match of re marked.
export function highlight(text, re) {
  if (!re) return [document.createTextNode(text)];
  const nodes = [];
  let last = 0;
  re.lastIndex = 0;
  for (const m of text.matchAll(re)) {
    if (!m[0]) continue;
    nodes.push(document.createTextNode(text.slice(last, m.index)));
    const mark = document.createElement('mark');
    mark.textContent = m[0];
    nodes.push(mark);
    last = m.index + m[0].length;
  }
  nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

// The index of the newline that ends line `lines`, or -1 when the text has no more lines than that.
function cutAfter(text, lines) {
  let at = -1;
  for (let i = 0; i < lines; i++) {
    at = text.indexOf('\n', at + 1);
    if (at < 0) return -1;
  }
  return at;
}

// The message with its newlines; past COLLAPSED_LINES lines only those, and a button to show all.
export function messageCell(message, re) {
  const td = document.createElement('td');
  td.className = 'message';
  const text = document.createElement('span');
  text.className = 'text';
  text.dataset.testid = 'message';
  td.append(text);
  const cut = cutAfter(message, COLLAPSED_LINES);
  if (cut < 0) {
    text.append(...highlight(message, re));
    return td;
  }
  const total = message.split('\n').length;
  const toggle = button('show-all', '');
  toggle.className = 'show-all';
  const show = all => {
    text.replaceChildren(...highlight(all ? message : message.slice(0, cut), re));
    toggle.textContent = all ? `Show first ${COLLAPSED_LINES} lines` : `Show all ${total} lines`;
    toggle.setAttribute('aria-expanded', String(all));
  };
  toggle.addEventListener('click', () => show(toggle.getAttribute('aria-expanded') !== 'true'));
  show(false);
  td.append(toggle);
  return td;
}
