// Load benchmark of the Duban GraphQL API: signs in as the generated accounts (bureau, unit,
// leader, service; `api gen-data`), picks ids by querying, checks every scenario once (failing
// loudly on any GraphQL error), then runs each with autocannon at 1 and at 16 connections and
// prints one Markdown table: throughput, latency, errors, database statements per request
// (`--pg`, from pg_stat_statements) and the server's resident memory (`--pid`, VmRSS).
//
//   node bench/load.mjs --url http://127.0.0.1:8000 --password P [--pid N] [--duration 10]
//                       [--pg postgres://…] [--connections 1,16] [--only 1,2,11] [--settle 125]
//
// See bench/README.md for how to read the figures.

import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8000' },
    password: { type: 'string', default: process.env.DUBAN_GEN_PASSWORD },
    pid: { type: 'string' },
    duration: { type: 'string', default: '10' },
    pg: { type: 'string' },
    connections: { type: 'string', default: '1,16' },
    only: { type: 'string' },
    'burst-max': { type: 'string', default: '20000' },
    // Seconds to wait after the last run for a second reading of memory, once the pool has
    // closed the connections the load opened (DATABASE_IDLE_TIMEOUT_SECS, checked as often).
    settle: { type: 'string', default: '0' },
  },
});
if (!args.password) fail('--password (or DUBAN_GEN_PASSWORD) is required');
const base = args.url.replace(/\/+$/, '');
const endpoint = `${base}/graphql`;
const duration = Number(args.duration);
const connectionCounts = args.connections.split(',').map(Number);
const only = args.only ? new Set(args.only.split(',').map(Number)) : null;

function fail(message) {
  console.error(`load.mjs: ${message}`);
  process.exit(1);
}

// ---------------------------------------------------------------- GraphQL and sign-in

async function graphql(token, query, variables = {}) {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${response.status}, not JSON: ${text.slice(0, 300)}`);
  }
  if (!response.ok || json.errors) {
    throw new Error(`HTTP ${response.status}: ${JSON.stringify(json.errors ?? json).slice(0, 600)}`);
  }
  return json.data;
}

async function signIn(username) {
  const data = await graphql(
    null,
    'mutation SignIn($input: LoginInput!) { login(input: $input) { accessToken } }',
    { input: { username, password: args.password } },
  );
  return data.login.accessToken;
}

// ---------------------------------------------------------------- measurements

let pgClient = null;
async function pgConnect() {
  if (!args.pg) return;
  const { default: pg } = await import('pg');
  pgClient = new pg.Client({ connectionString: args.pg });
  await pgClient.connect();
  await pgClient.query('SELECT pg_stat_statements_reset()');
}

async function statementsReset() {
  if (pgClient) await pgClient.query('SELECT pg_stat_statements_reset()');
}

// Statements the server ran since the reset, in its database, ours left out.
async function statementsSince() {
  if (!pgClient) return null;
  const { rows } = await pgClient.query(
    `SELECT COALESCE(sum(calls), 0)::bigint AS calls FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND query NOT ILIKE '%pg_stat_statements%'`,
  );
  return Number(rows[0].calls);
}

function rssKiB() {
  if (!args.pid) return null;
  try {
    const status = readFileSync(`/proc/${args.pid}/status`, 'utf8');
    const match = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

// Samples VmRSS every 100 ms until stopped; resolves to the largest sample.
function sampleRss() {
  let max = rssKiB();
  const timer = setInterval(() => {
    const now = rssKiB();
    if (now !== null && (max === null || now > max)) max = now;
  }, 100);
  return () => {
    clearInterval(timer);
    return max;
  };
}

const mib = (kib) => (kib === null ? '–' : (kib / 1024).toFixed(0));

// Runs autocannon for `duration` seconds; resolves to its result. `extra` adds autocannon
// options (requests, maxConnectionRequests: a run also ends when every connection is done).
function cannon(token, connections, body, extra = {}) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: endpoint,
        method: 'POST',
        connections,
        duration,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
        // A GraphQL error comes with status 200: count it, as a mismatch.
        verifyBody: (text) => !text.includes('"errors"'),
        ...extra,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

const rows = [];
const notes = [];
const timings = [];

async function measure(scenario, connections, token, body, extra) {
  await statementsReset();
  const stop = sampleRss();
  const started = performance.now();
  const result = await cannon(token, connections, body, extra);
  const wall = (performance.now() - started) / 1000;
  const maxRss = stop();
  const statements = await statementsSince();
  const done = result.requests.total;
  const row = {
    scenario,
    connections,
    // A burst ends when its share is used up, after a few seconds, and autocannon reports
    // whole seconds: its rate is timed here (a 10 s run's is autocannon's).
    rate: done / (extra ? wall : result.duration),
    p50: result.latency.p50,
    p99: result.latency.p99,
    bad: result.non2xx + result.mismatches + result.errors + result.timeouts,
    perRequest: statements === null || done === 0 ? null : statements / done,
    maxRss,
    result,
  };
  rows.push(row);
  console.error(
    `  ${scenario} @${connections}: ${row.rate.toFixed(1)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, ` +
      `${row.bad} bad, ${row.perRequest === null ? '–' : row.perRequest.toFixed(1)} statements/request`,
  );
  return row;
}

// ---------------------------------------------------------------- the scenarios

const TASK_PAGE = `
  nodes {
    id seq text status deadline warningLevel
    document { id docNumber title }
    category { id title path }
    leaders { role position nameAsWritten post collective leader { id name post } }
    units { role position nameAsWritten isLocal unit { id name } }
  }`;

const FIGURES = `obligations due onTime late missing onTimeRate awaitingReview returned accepted
  tasks tasksByStatus { status tasks } tasksByWarning { level tasks } averagePercent
  targets { indicators reported met notMet notComparable }`;

function scenarios(ids) {
  return [
    // The cost of a signed-in request itself: the token, the principal, the router.
    { n: 0, name: '{ __typename } with a token', as: 'bureau',
      query: `query Ping { __typename }` },
    { n: 1, name: 'task by id', as: 'bureau',
      query: `query TaskById($id: ID!) { task(id: $id) { id seq text status percent deadline warningLevel document { id docNumber } } }`,
      variables: { id: ids.task } },
    { n: 2, name: 'page of 20 tasks + relations + totalCount', as: 'bureau',
      query: `query TasksPage { tasks(first: 20) { totalCount ${TASK_PAGE} } }` },
    { n: 3, name: 'page of 20 tasks + relations', as: 'bureau',
      query: `query TasksPageNoCount { tasks(first: 20) { ${TASK_PAGE} } }` },
    { n: 4, name: "unit's 50 tasks + units, leaders, reports", as: 'unit',
      query: `query UnitTasks { tasks(first: 50) { nodes { id seq text status
        units { role unit { id name } } leaders { role nameAsWritten leader { id name } }
        reports { id state currentVersion period { id label dueOn } } } } }` },
    { n: 5, name: "50 obligations of a document", as: 'bureau',
      query: `query DocumentObligations($doc: ID!) { obligations(filter: { documentId: $doc }, first: 50) {
        nodes { state dueOn task { id seq } unit { id name } period { id label dueOn } } } }`,
      variables: { doc: ids.document } },
    { n: 6, name: "a document's task counts by status", as: 'bureau',
      query: `query StatusCounts($doc: ID!) {
        notStarted: tasks(filter: { documentId: $doc, status: [NOT_STARTED] }, first: 1) { totalCount }
        inProgress: tasks(filter: { documentId: $doc, status: [IN_PROGRESS] }, first: 1) { totalCount }
        delayed: tasks(filter: { documentId: $doc, status: [DELAYED] }, first: 1) { totalCount }
        completed: tasks(filter: { documentId: $doc, status: [COMPLETED] }, first: 1) { totalCount }
        cancelled: tasks(filter: { documentId: $doc, status: [CANCELLED] }, first: 1) { totalCount } }`,
      variables: { doc: ids.document } },
    { n: 7, name: "leader's inbox (own tasks, 20)", as: 'leader',
      query: `query LeaderInbox { tasks(first: 20, orderBy: { field: DEADLINE }) { totalCount
        nodes { id seq text status deadline warningLevel document { docNumber }
          units(role: LEAD) { unit { name } } } } }` },
    { n: 8, name: 'myObligations(first: 50)', as: 'unit',
      query: `query MyObligations { myObligations(first: 50) {
        nodes { state dueOn task { id seq text } period { id label } report { id state } } } }` },
    { n: 9, name: "reportingFigures of a document", as: 'bureau',
      query: `query Figures($doc: ID!) { reportingFigures(filter: { documentId: $doc }) {
        obligations due onTime late missing onTimeRate awaitingReview returned accepted
        tasksByStatus { status tasks } } }`,
      variables: { doc: ids.document } },
    // Every obligation's figures (1.38 million): from the stored counts (`tallies`).
    { n: 23, name: "reportingFigures of every obligation", as: 'bureau',
      query: `query AllFigures { reportingFigures { ${FIGURES} } }` },
    { n: 10, name: 'obligations(first: 50), unfiltered', as: 'bureau',
      query: `query AllObligations { obligations(first: 50) {
        nodes { state dueOn task { id seq } unit { id name } period { id label } } } }` },
    { n: 12, name: 'figuresBy(UNIT), every obligation', as: 'bureau',
      query: `query ByUnit { figuresBy(groupBy: UNIT) { groupId name figures { ${FIGURES} } } }` },
    { n: 13, name: 'figuresBy(LEADER), every obligation', as: 'bureau',
      query: `query ByLeader { figuresBy(groupBy: LEADER) { groupId name figures { ${FIGURES} } } }` },
    { n: 14, name: 'figuresBy(UNIT) of a document', as: 'bureau',
      query: `query ByUnitOfDocument($doc: ID!) { figuresBy(groupBy: UNIT, filter: { documentId: $doc }) {
        groupId name figures { ${FIGURES} } } }`,
      variables: { doc: ids.document } },
    { n: 15, name: 'ranking, every obligation', as: 'bureau',
      query: `query RankAll { ranking { ranked rows { rank unitName counted points score } } }` },
    { n: 16, name: 'ranking of a document', as: 'bureau',
      query: `query RankDocument($doc: ID!) { ranking(documentId: $doc) { ranked rows { rank unitName counted points score } } }`,
      variables: { doc: ids.document } },
    { n: 20, name: 'page of 20 tasks + relations, 50,000 deep', as: 'bureau',
      query: `query TasksPageDeep($after: String) { tasks(first: 20, after: $after) { ${TASK_PAGE} } }`,
      variables: { after: ids.deepCursor } },
    // Text search (migration 30's trigram index on PostgreSQL): words of four characters in
    // 2.6% of the generated tasks, and of two (no trigram: the scan it always was) in 1.9%.
    { n: 21, name: 'tasks searched for 中试基地 (20 + totalCount)', as: 'bureau',
      query: `query Search($s: String) { tasks(first: 20, filter: { search: $s }) { totalCount nodes { id seq text } } }`,
      variables: { s: '中试基地' } },
    { n: 22, name: 'tasks searched for 养老 (20 + totalCount)', as: 'bureau',
      query: `query Search($s: String) { tasks(first: 20, filter: { search: $s }) { totalCount nodes { id seq text } } }`,
      variables: { s: '养老' } },
    { n: 18, name: "a leader's page in one query", as: 'leader',
      query: `query LeaderPage { leaderPage { leader { name }
        figures { ${FIGURES} }
        supervisedUnits { groupId name figures { obligations due onTime late missing onTimeRate } }
        instructionsAwaitingReply { instruction { body } task { seq } }
        latestReports { version { version submittedAt } report { task { seq } unit { name } period { label } } } } }` },
    { n: 19, name: "a unit's page in one query", as: 'unit',
      query: `query UnitPage { unitPage { unit { name }
        nextDue { state dueOn task { seq text } period { label } }
        returned { state dueOn task { seq } period { label } }
        unacknowledgedReminders { message }
        figures { ${FIGURES} }
        ranking { ranked rows { rank score } } } }` },
  ];
}

const SUBMIT = `mutation Submit($input: SubmitReportInput!) {
  submitReport(input: $input) { report { id state currentVersion } version { version isLate } } }`;

// What the unit owes and has not submitted, oldest first: one submission each.
async function owedByUnit(token, max) {
  const owed = [];
  let after = null;
  while (owed.length < max) {
    const data = await graphql(
      token,
      `query Owed($after: String) { myObligations(filter: { state: [NOT_STARTED, OVERDUE] }, first: 100, after: $after) {
        pageInfo { hasNextPage endCursor } nodes { task { id } period { id } } } }`,
      { after },
    );
    const page = data.myObligations;
    for (const node of page.nodes) owed.push({ taskId: node.task.id, periodId: node.period.id });
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return owed.slice(0, max);
}

async function submittedCount(token) {
  const data = await graphql(
    token,
    `{ myObligations(filter: { state: [SUBMITTED, LATE] }, first: 1) { totalCount } }`,
  );
  return data.myObligations.totalCount;
}

async function storedWithPrefix(prefix) {
  if (!pgClient) return null;
  const { rows: found } = await pgClient.query(
    `SELECT count(*)::bigint AS n, count(DISTINCT report_id)::bigint AS reports
       FROM report_versions WHERE idempotency_key LIKE $1`,
    [`${prefix}%`],
  );
  return { versions: Number(found[0].n), reports: Number(found[0].reports) };
}

async function burst(token, owed, connections, runId) {
  const prefix = `bench-${runId}-c${connections}-`;
  let next = 0;
  let acknowledged = 0;
  const before = await submittedCount(token);
  const row = await measure('11. submission burst (unit)', connections, token, undefined, {
    // Each connection sends at most its part of the share, less one: autocannon prepares a
    // connection's next request before it knows the run is over, and that one must have an
    // obligation of its own too (it is then skipped, never reused).
    maxConnectionRequests: Math.floor(owed.length / connections) - 1,
    requests: [
      {
        method: 'POST',
        path: '/graphql',
        setupRequest: (request) => {
          const obligation = owed[next];
          const n = next++;
          if (!obligation) throw new Error('the burst ran out of obligations'); // see above
          request.body = JSON.stringify({
            query: SUBMIT,
            variables: {
              input: {
                taskId: obligation.taskId,
                periodId: obligation.periodId,
                idempotencyKey: `${prefix}${n}`,
                progress: `压力测试报送：截至本月底，已完成阶段性任务（第${n}份）。`,
                percent: 50,
              },
            },
          });
          return request;
        },
        onResponse: (status, body) => {
          if (status === 200 && !body.includes('"errors"')) acknowledged++;
        },
      },
    ],
  });
  await whereTheTimeGoes(`burst @${connections}`, row.result.requests.total);
  const after = await submittedCount(token);
  const exact = await storedWithPrefix(prefix);
  const stored = exact ? exact.reports : after - before;
  // Requests prepared but not sent when the run ended are skipped, never reused.
  const sent = row.result.requests.sent ?? next;
  // Stored but not acknowledged is possible (a response cut off at the end); the reverse is not.
  const lost = Math.max(0, acknowledged - stored);
  notes.push(
    `- burst @${connections}: ${sent} sent, ${acknowledged} acknowledged, ${stored} stored ` +
      `(${exact ? 'report_versions with the run\'s idempotency keys' : 'SUBMITTED+LATE obligations before/after'}), ` +
      `${lost} lost${lost === 0 ? '' : ' ← LOST SUBMISSIONS'}`,
  );
  row.lost = lost;
  return owed.slice(next);
}

// The statements of the run just measured, by total execution time in the database, per
// request: which of a submission's statements cost what, and how much of its time is SQL at all.
async function whereTheTimeGoes(label, requests) {
  if (!pgClient || requests === 0) return;
  const { rows: top } = await pgClient.query(
    `SELECT calls, total_exec_time AS total, mean_exec_time AS mean,
            left(regexp_replace(query, '\\s+', ' ', 'g'), 100) AS query
       FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND query NOT ILIKE '%pg_stat_statements%'
      ORDER BY total_exec_time DESC`,
  );
  const sql = top.reduce((sum, r) => sum + Number(r.total), 0);
  timings.push(
    `\n${label}: ${(sql / requests).toFixed(3)} ms of SQL execution a request, by statement ` +
      `(calls a request, mean ms, share):\n\n| calls/req | mean ms | share | statement |\n|---:|---:|---:|---|`,
  );
  for (const r of top.slice(0, 16)) {
    timings.push(
      `| ${(Number(r.calls) / requests).toFixed(2)} | ${Number(r.mean).toFixed(3)} | ` +
        `${((100 * Number(r.total)) / sql).toFixed(0)}% | \`${r.query.replaceAll('|', '\\|')}\` |`,
    );
  }
}

// ---------------------------------------------------------------- main

async function main() {
  console.error(`load.mjs: ${endpoint}, ${duration} s per run, connections ${connectionCounts.join(', ')}`);
  const tokens = {};
  for (const account of ['bureau', 'unit', 'leader', 'service']) tokens[account] = await signIn(account);
  await pgConnect();

  // Ids, picked as the bureau: the document with the most tasks, and one of its tasks.
  const docs = await graphql(tokens.bureau, `{ documents(first: 100) { nodes { id docNumber declaredTotal } } }`);
  const document = docs.documents.nodes.reduce((a, b) => ((b.declaredTotal ?? 0) > (a.declaredTotal ?? 0) ? b : a));
  const firstTask = await graphql(
    tokens.bureau,
    `query($doc: ID!) { tasks(filter: { documentId: $doc }, first: 1) { nodes { id } } }`,
    { doc: document.id },
  );
  const ids = { document: document.id, task: firstTask.tasks.nodes[0].id, deepCursor: null };
  if (!only || only.has(20)) {
    // The cursor 50,000 tasks deep, reached as a client syncing the list would: 500 pages of 100.
    for (let page = 0; page < 500; page++) {
      const data = await graphql(
        tokens.bureau,
        `query Walk($after: String) { tasks(first: 100, after: $after) { pageInfo { endCursor } } }`,
        { after: ids.deepCursor },
      );
      ids.deepCursor = data.tasks.pageInfo.endCursor;
    }
  }
  const me = await graphql(tokens.unit, `{ me { unit { id name } } }`);
  const leader = await graphql(tokens.leader, `{ me { leader { id name post } } }`);
  console.error(
    `  document ${document.docNumber} (${document.declaredTotal} tasks), unit ${me.me.unit.name}, ` +
      `leader ${leader.me.leader.post} ${leader.me.leader.name}`,
  );

  // Every scenario once, before any load: a GraphQL error stops the benchmark here.
  const list = scenarios(ids).filter((s) => !only || only.has(s.n));
  for (const s of list) {
    try {
      await graphql(tokens[s.as], s.query, s.variables);
    } catch (err) {
      fail(`scenario ${s.n} (${s.name}) fails: ${err.message}`);
    }
  }
  // The level a serving server idles at: its code paged in and its caches filled by a request
  // of each scenario, before any load. (Just after start it is lower, and no server that has
  // served goes back there.) The requests are sent once more after a pause because the
  // allocator hands freed memory back (the sign-ins' password hashing: 19 MiB each) one second
  // after it was freed, at its next piece of work.
  await sleep(1500);
  for (const s of list) await graphql(tokens[s.as], s.query, s.variables);
  await sleep(1000);
  const warmRss = rssKiB();

  for (const s of list) {
    const body = JSON.stringify({ query: s.query, variables: s.variables ?? {} });
    for (const connections of connectionCounts) {
      await measure(`${s.n}. ${s.name} (${s.as})`, connections, tokens[s.as], body);
    }
  }

  if (!only || only.has(11)) {
    let owed = await owedByUnit(tokens.unit, Number(args['burst-max']));
    console.error(`  the unit owes ${owed.length} unsubmitted reports for the burst`);
    if (owed.length === 0) fail('the unit owes nothing to submit: run gen-data on a fresh database');
    // Check one submission (it is then not offered again).
    try {
      await graphql(tokens.unit, SUBMIT, {
        input: { ...owed[0], idempotencyKey: `bench-check-${Date.now()}`, progress: '压力测试校验报送。', percent: 1 },
      });
    } catch (err) {
      fail(`scenario 11 (submitReport) fails: ${err.message}`);
    }
    owed = owed.slice(1);
    const runId = Date.now().toString(36);
    // Each run gets its share of what is owed, by the square root of its connections (1 and
    // 16 connections: a fifth and four fifths).
    const weights = connectionCounts.reduce((sum, c) => sum + Math.sqrt(c), 0);
    let left = weights;
    for (const connections of connectionCounts) {
      const share = owed.slice(0, Math.floor((owed.length * Math.sqrt(connections)) / left));
      left -= Math.sqrt(connections);
      if (share.length < 2 * connections) {
        notes.push(`- burst @${connections}: skipped, the unit owes too few reports (${share.length})`);
        continue;
      }
      const rest = await burst(tokens.unit, share, connections, runId);
      owed = owed.slice(share.length - rest.length);
    }
  }

  // Exports: the bureau's whole task ledger (every task), as .xlsx and .csv, one at a time,
  // with the server's resident memory sampled while it writes.
  if (!only || only.has(17)) {
    for (const format of ['xlsx', 'csv']) {
      const before = rssKiB();
      const stop = sampleRss();
      const started = performance.now();
      const response = await fetch(`${base}/exports/tasks.${format}`, {
        headers: { authorization: `Bearer ${tokens.bureau}` },
      });
      const bytes = (await response.arrayBuffer()).byteLength;
      const ms = performance.now() - started;
      const maxRss = stop();
      if (response.status !== 200) fail(`export tasks.${format}: HTTP ${response.status}`);
      notes.push(
        `- export of every task (tasks.${format}): ${(bytes / 1048576).toFixed(1)} MiB in ` +
          `${(ms / 1000).toFixed(1)} s, server RSS ${mib(before)} MiB before, at most ${mib(maxRss)} MiB while writing`,
      );
    }
  }

  // Memory once more after 5 s without load.
  await sleep(5000);
  const idleRss = rssKiB();
  const settle = Number(args.settle);
  let settledRss = null;
  if (settle > 5) {
    await sleep((settle - 5) * 1000);
    settledRss = rssKiB();
  }
  if (pgClient) await pgClient.end();

  const header = [
    '| scenario | conns | req/s | p50 ms | p99 ms | non-2xx + errors | statements/req | max RSS MiB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const lines = rows.map(
    (r) =>
      `| ${r.scenario} | ${r.connections} | ${r.rate.toFixed(1)} | ${r.p50} | ${r.p99} | ${r.bad} | ` +
      `${r.perRequest === null ? '–' : r.perRequest.toFixed(1)} | ${mib(r.maxRss)} |`,
  );
  const footer = [
    '',
    `Each run ${duration} s against ${endpoint}; document ${document.docNumber}; ` +
      `unit ${me.me.unit.name}; leader ${leader.me.leader.name}.`,
    ...notes,
    `- resident memory after one request of each scenario, before the load: ${mib(warmRss)} MiB`,
    `- resident memory after 5 s idle: ${mib(idleRss)} MiB`,
    ...(settledRss === null ? [] : [`- resident memory after ${settle} s idle: ${mib(settledRss)} MiB`]),
    ...timings,
  ];
  console.log([...header, ...lines, ...footer].join('\n'));
  const lostAny = rows.some((r) => r.lost > 0);
  const badAny = rows.some((r) => r.bad > 0);
  if (lostAny || badAny) process.exitCode = 2;
}

main().catch((err) => fail(err.stack ?? String(err)));
