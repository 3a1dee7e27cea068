// GraphQL over HTTP conformance: runs graphql-http's own server audit against a running
// Duban server and prints the results as one JSON object on stdout.
//
//   node audit.mjs http://127.0.0.1:18000/graphql
//
// stdout: {"ok":[name…], "notice":[item…], "warn":[item…], "error":[item…]}
//         where item = {"id","name","reason"}; reason is the audit's reason followed by a
//         summary of the response it judged, at most ~300 characters. Failed MUSTs are
//         errors, failed SHOULDs warnings, failed MAYs notices (graphql-http's grading); an
//         audit that could not run at all (e.g. the server dropped the connection) is an
//         error whose reason starts with "fatal:".
// exit:   0 when the audit ran (whatever it found); non-zero only if the script crashed.

import { serverAudits } from 'graphql-http';

// Only the JSON result goes to stdout.
console.log = console.info = console.debug = (...args) => console.error(...args);

const MAX_REASON = 300;

function truncate(text, max) {
  const s = String(text ?? '');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A short, single-line summary of the response an audit judged. */
async function summarizeResponse(res) {
  if (!res || typeof res !== 'object') return '';
  let body = '';
  try {
    // The audit may already have read the body; a clone fails then, and so may text().
    const copy = typeof res.clone === 'function' && !res.bodyUsed ? res.clone() : res;
    body = await copy.text();
  } catch {
    body = res.bodyUsed ? '<body already read>' : '<body unreadable>';
  }
  const type = res.headers?.get?.('content-type') ?? '';
  return `HTTP ${res.status}${type ? ` ${type}` : ''}: ${body.replace(/\s+/g, ' ').trim()}`;
}

async function describe(result) {
  const reason = String(result.reason ?? '').replace(/\s+/g, ' ').trim();
  const response = await summarizeResponse(result.response);
  const text = response ? `${truncate(reason, 200)} [${response}]` : reason;
  return { id: result.id, name: result.name, reason: truncate(text, MAX_REASON) };
}

async function main() {
  const url = process.argv[2];
  if (!url) {
    console.error('usage: node audit.mjs <http-url>');
    process.exit(2);
  }
  // What auditServer({ url }) does, except that an audit that dies (graphql-http treats a
  // failed fetch, e.g. the server hanging up, as fatal and rejects the whole run) is reported
  // as that audit's error instead of losing every other result.
  const results = await Promise.all(
    serverAudits({ url }).map(({ id, name, fn }) =>
      fn().catch((err) => {
        const cause = err?.cause ? ` (${err.cause.message ?? err.cause})` : '';
        return { id, name, status: 'error', reason: `fatal: ${err?.message ?? err}${cause}` };
      }),
    ),
  );
  const out = { ok: [], notice: [], warn: [], error: [] };
  for (const result of results) {
    if (result.status === 'ok') {
      out.ok.push(result.name);
    } else {
      const bucket = out[result.status] ?? (out[result.status] = []);
      bucket.push(await describe(result));
    }
  }
  console.error(
    `audit: ${results.length} audits, ${out.ok.length} ok, ${out.notice.length} notice, ` +
      `${out.warn.length} warn, ${out.error.length} error`,
  );
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err) => {
  console.error('audit.mjs crashed:', err);
  process.exit(1);
});
