// Reads LogQL queries, one per line on stdin, and prints for each "ok" or "error <offset>" on its own line, in
// order: whether Grafana's parser (@grafana/lezer-logql) reads it without an error node. Lezer recovers from errors
// instead of failing, so a query is rejected when its tree holds any node whose type is an error (⚠).
// Queries are JSON string literals (one per line) so that tabs and newlines inside a query survive.
import { createInterface } from 'node:readline';
import { parser } from '@grafana/lezer-logql';

function firstError(query) {
  let at = -1;
  parser.parse(query).iterate({
    enter(node) {
      if (at < 0 && node.type.isError) {
        at = node.from;
      }
      return at < 0;
    },
  });
  return at;
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (line.length === 0) {
    continue;
  }
  const at = firstError(JSON.parse(line));
  process.stdout.write(at < 0 ? 'ok\n' : `error ${at}\n`);
}
