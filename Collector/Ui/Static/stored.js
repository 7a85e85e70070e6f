// The fields of a stored line, read the way Collector/Storage/StoredLine.cs reads them (docs/collector.md, The messages
// file). Two layouts, told apart per line by the TAB only the second has:
//   TIMESTAMP HOST APP[PROCID]: FACILITY.SEVERITY MSGID SD MSG                          (older lines, other senders)
//   TIMESTAMP HOST NAMESPACE/POD/CONTAINER STREAM: MSG<TAB>APP[PROCID]: FACILITY.SEVERITY MSGID SD  (message-first)
// A line of another shape (the traditional and rfc5424 formats) has no fields: the detail view shows it raw.
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\S+ /;

// One space-delimited token from i: [token, index after its space].
function token(text, i) {
  const space = text.indexOf(' ', i);
  return space < 0 ? [text.slice(i), text.length] : [text.slice(i, space), space + 1];
}

// RFC 5424 §6.3: [ID NAME="VALUE" …][…]; in a value \" \\ \] are escapes, any other backslash is itself.
// Each param keeps its value as stored (`raw`, what a line filter must look for) and unescaped (`value`).
export function parseSd(text, i = 0) {
  const elements = [];
  while (text[i] === '[') {
    let j = i + 1;
    while (j < text.length && text[j] !== ' ' && text[j] !== ']') j++;
    const element = { id: text.slice(i + 1, j), params: [] };
    while (text[j] === ' ') {
      const eq = text.indexOf('="', j + 1);
      if (eq < 0) return { elements, end: text.length };
      const name = text.slice(j + 1, eq);
      let k = eq + 2, value = '';
      while (k < text.length && text[k] !== '"') {
        if (text[k] === '\\' && '"\\]'.includes(text[k + 1] ?? '')) { value += text[k + 1]; k += 2; } else value += text[k++];
      }
      element.params.push({ name, value, raw: text.slice(eq + 2, k) });
      j = k + 1;
    }
    elements.push(element);
    if (text[j] !== ']') return { elements, end: text.length };
    i = j + 1;
  }
  return { elements, end: i };
}

// TAG FACILITY.SEVERITY MSGID SD from i; the index after the SD (and its space).
function readMetadata(text, i, fields) {
  const [tag, afterTag] = token(text, i);
  const m = /^([^[:]*)(?:\[([^\]]*)\])?:$/.exec(tag);
  if (!m) return -1;
  if (m[1] && m[1] !== '-') fields.app = m[1];
  if (m[2]) fields.procid = m[2];
  const [priority, afterPriority] = token(text, afterTag);
  const dot = priority.indexOf('.');
  if (dot > 0) { fields.facility = priority.slice(0, dot); fields.severity = priority.slice(dot + 1); }
  const [msgid, afterMsgid] = token(text, afterPriority);
  if (msgid && msgid !== '-') fields.msgid = msgid;
  if (text[afterMsgid] === '[') {
    const sd = parseSd(text, afterMsgid);
    fields.sd = sd.elements;
    return text[sd.end] === ' ' ? sd.end + 1 : sd.end;
  }
  return Math.min(afterMsgid + 2, text.length);
}

// { layout, timestamp, host, app, procid, facility, severity, msgid, sd: [{ id, params: [{ name, value, raw }] }] }
export function parseStored(line) {
  const fields = { layout: 'other', sd: [] };
  if (!TIMESTAMP.test(line)) return fields;
  let [timestamp, i] = token(line, 0);
  fields.timestamp = timestamp;
  [fields.host, i] = token(line, i);
  const tab = line.lastIndexOf('\t');
  if (tab > i) {
    fields.layout = 'message-first';
    readMetadata(line.slice(tab + 1), 0, fields);
  } else if (readMetadata(line, i, fields) >= 0) {
    fields.layout = 'file';
  }
  return fields;
}
