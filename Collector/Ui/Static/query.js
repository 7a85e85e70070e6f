// Query text helpers: add a label matcher to the selector, find the texts to highlight, and what to complete at the caret.
const quote = value => JSON.stringify(value);

// The index just past the selector's closing brace (quotes respected), or -1.
function selectorEnd(text) {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (c === '}' && !quoted) return i + 1;
  }
  return -1;
}

// {a="1"} + b="2" → {a="1", b="2"}; an existing matcher of the same label and operator is replaced.
export function addMatcher(text, label, op, value) {
  const matcher = `${label}${op}${quote(value)}`;
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return trimmed ? `{${matcher}} ${trimmed}` : `{${matcher}}`;
  const end = selectorEnd(trimmed);
  if (end < 0) return `{${matcher}}`;
  const inner = trimmed.slice(1, end - 1);
  const escaped = op.replace(/[!=~]/g, c => `\\${c}`);
  const same = new RegExp(`(^|,)\\s*${label}\\s*${escaped}\\s*"(?:[^"\\\\]|\\\\.)*"`);
  const body = same.test(inner)
    ? inner.replace(same, (_, lead) => `${lead}${lead ? ' ' : ''}${matcher}`)
    : (inner.trim() ? `${inner.trim()}, ${matcher}` : matcher);
  return `{${body}}${trimmed.slice(end)}`;
}

// {a="1"} + |= `x` → {a="1"} |= `x` (op |=, !=, |~ or !~); a raw string when the text holds a quote or backslash
// (container_id="…" reads better than "container_id=\"…\""). The same filter already there is not added twice.
export function addLineFilter(text, op, needle) {
  const literal = /["\\]/.test(needle) && !needle.includes('`') ? `\`${needle}\`` : quote(needle);
  const filter = `${op} ${literal}`;
  const trimmed = text.trim() || '{}';
  return trimmed.endsWith(filter) || trimmed.includes(`${filter} `) ? trimmed : `${trimmed} ${filter}`;
}

// The line filters' texts (|= "x") and patterns (|~ "re") as one global regex, or null.
export function highlighter(text) {
  const parts = [];
  for (const m of text.matchAll(/\|([=~])\s*("(?:[^"\\]|\\.)*"|`[^`]*`)/g)) {
    let value;
    try { value = m[2].startsWith('`') ? m[2].slice(1, -1) : JSON.parse(m[2]); } catch { continue; }
    if (!value) continue;
    if (m[1] === '=') parts.push(value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    else {
      // LogQL's case-insensitive (?i)… is a group modifier in JavaScript: (?i:…).
      const pattern = value.startsWith('(?i)') ? `(?i:${value.slice(4)})` : `(?:${value})`;
      try { new RegExp(pattern); parts.push(pattern); } catch { /* RE2 syntax JavaScript lacks: no highlight */ }
    }
  }
  return parts.length ? new RegExp(parts.join('|'), 'g') : null;
}

// What the caret is in: a label name (after { or ,) or a label value (after name=").
export function completionContext(before) {
  let m = before.match(/([a-z_]+)\s*(?:=|!=|=~|!~)\s*"([^"\\]*)$/);
  if (m && selectorEnd(before) < 0) return { kind: 'value', label: m[1], prefix: m[2] };
  m = before.match(/(?:^\s*\{|,)\s*([a-z_]*)$/);
  if (m && selectorEnd(before) < 0) return { kind: 'label', prefix: m[1] };
  return null;
}

// A metric query (count_over_time(…), sum by (…) (…), vector(1)+1) rather than a log query, which starts with {.
export const isMetric = text => /^[^{\s]/.test(text.trim());

// {a="1"} | json + name="v" → {a="1"} | json | name="v": a label filter after the pipeline, for a field a parser
// extracted (names are [A-Za-z0-9_], as Loki sanitises them). The same filter already at the end is not added twice.
export function addLabelFilter(text, name, op, value) {
  const filter = `| ${name}${op}${quote(value)}`;
  const trimmed = text.trim() || '{}';
  return trimmed.endsWith(filter) ? trimmed : `${trimmed} ${filter}`;
}
