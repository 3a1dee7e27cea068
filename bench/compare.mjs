// Duban against the API an integrator would otherwise generate from the same tables: PostGraphile
// 4 (pinned in package-lock.json; no authorization, every table exposed) on the same database,
// with the six queries of the province-scale issue written as each API spells them. Rounds
// alternate the two servers (the other one idles meanwhile), because this machine's speed moves
// by a quarter between runs; only a pair taken together compares.
//
//   node bench/compare.mjs --url http://127.0.0.1:8000 --password P --pg postgres://…/duban \
//                          [--duration 10] [--rounds 2] [--connections 1,16]
//
// Duban's side is `bench/load.mjs --only 1,2,3,4,5,6` (the queries are defined there once);
// PostGraphile's side is started here, on a free port, and stopped at the end. Prints one
// Markdown table with req/s of both and their ratio. See bench/README.md.

import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8000' },
    password: { type: 'string', default: process.env.DUBAN_GEN_PASSWORD },
    pg: { type: 'string' },
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '1,16' },
  },
});
if (!args.password || !args.pg) fail('--password and --pg are required');
const here = dirname(fileURLToPath(import.meta.url));
const duration = Number(args.duration);
const connectionCounts = args.connections.split(',').map(Number);

function fail(message) {
  console.error(`compare.mjs: ${message}`);
  process.exit(1);
}

// ---------------------------------------------------------------- PostGraphile

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const port = await freePort();
const generated = `http://127.0.0.1:${port}/graphql`;
// As an integrator would run it: the simplified names (`task.document`, not
// `documentByDocumentId`), no query log; one Node process (its default).
const postgraphile = spawn(
  join(here, 'node_modules/.bin/postgraphile'),
  ['-c', args.pg, '--host', '127.0.0.1', '-p', String(port), '--disable-query-log',
    '--append-plugins', '@graphile-contrib/pg-simplify-inflector'],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
process.on('exit', () => postgraphile.kill());

async function ask(query, variables = {}) {
  const response = await fetch(generated, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const json = await response.json();
  if (json.errors) throw new Error(JSON.stringify(json.errors).slice(0, 600));
  return json.data;
}

for (let tries = 0; ; tries += 1) {
  try {
    await ask('{ __typename }');
    break;
  } catch (err) {
    if (tries > 120) fail(`PostGraphile did not start: ${err.message}`);
    await sleep(500);
  }
}

// The ids load.mjs picks: the document with the most tasks, its first task, the unit's account.
const { documents } = await ask('{ documents(first: 100, orderBy: [ID_ASC]) { nodes { id declaredTotal } } }');
const doc = documents.nodes
  .reduce((a, b) => ((b.declaredTotal ?? 0) > (a.declaredTotal ?? 0) ? b : a)).id;
const { tasks } = await ask(
  `{ tasks(condition: { documentId: "${doc}", deletedAt: null }, orderBy: [SORT_ORDER_ASC, ID_ASC], first: 1) { nodes { id } } }`,
);
const task = tasks.nodes[0].id;
const { users } = await ask(`{ users(condition: { username: "unit" }) { nodes { unitId } } }`);
const unit = users.nodes[0].unitId;

const PAGE = `nodes { id seq text status deadline
  document { id docNumber title } category { id title path }
  taskLeaders { nodes { role position nameAsWritten post collective leader { id name post } } }
  taskUnits { nodes { role position nameAsWritten isLocal unit { id name } } } }`;
const QUERIES = [
  [1, 'task by id', `query($id: BigInt!) { task(id: $id) { id seq text status percent deadline document { id docNumber } } }`, { id: task }],
  [2, 'a page of 20 tasks with relations and totalCount', `{ tasks(first: 20, condition: { deletedAt: null }) { totalCount ${PAGE} } }`],
  [3, 'the same page without totalCount', `{ tasks(first: 20, condition: { deletedAt: null }) { ${PAGE} } }`],
  [4, "a unit's 50 tasks with units, leaders, reports", `{ unit(id: "${unit}") { taskUnits(first: 50) { nodes { task { id seq text status
      taskUnits { nodes { role unit { id name } } } taskLeaders { nodes { role nameAsWritten leader { id name } } }
      progressReports(condition: { unitId: "${unit}" }) { nodes { id state currentVersion period { id label dueOn } } } } } } } }`],
  [5, '50 obligations of a document', `{ obligations(first: 50, condition: { documentId: "${doc}" }) { nodes { reportState dueOn
      task { id seq } unit { id name } period { id label dueOn } } } }`],
  [6, "a document's task counts by status", `{ ${['NOT_STARTED', 'IN_PROGRESS', 'DELAYED', 'COMPLETED', 'CANCELLED']
    .map((s, i) => `s${i}: tasks(condition: { documentId: "${doc}", status: "${s}", deletedAt: null }) { totalCount }`)
    .join(' ')} }`],
];

async function measureGenerated() {
  const rates = new Map();
  for (const [n, , query, variables] of QUERIES) {
    await ask(query, variables); // fails loudly on an error, before any load
    const body = JSON.stringify({ query, variables: variables ?? {} });
    for (const connections of connectionCounts) {
      const result = await autocannon({
        url: generated, method: 'POST', headers: { 'content-type': 'application/json' },
        body, connections, duration,
      });
      if (result.non2xx + result.errors + result.timeouts > 0) fail(`PostGraphile query ${n} failed under load`);
      rates.set(`${n}@${connections}`, result.requests.total / result.duration);
    }
  }
  return rates;
}

// ---------------------------------------------------------------- Duban, through load.mjs

function measureDuban() {
  const table = execFileSync('node', [join(here, 'load.mjs'), '--url', args.url,
    '--password', args.password, '--duration', String(duration), '--only', '1,2,3,4,5,6',
    '--connections', args.connections], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const rates = new Map();
  for (const line of table.split('\n')) {
    // | 1. task by id (bureau) | 16 | 3933.5 | …
    const match = line.match(/^\| (\d+)\. .*? \| (\d+) \| ([\d.]+) \|/);
    if (match) rates.set(`${match[1]}@${match[2]}`, Number(match[3]));
  }
  return rates;
}

// ---------------------------------------------------------------- rounds

const rounds = [];
for (let round = 0; round < Number(args.rounds); round += 1) {
  console.error(`compare.mjs: round ${round + 1}: PostGraphile, then Duban`);
  const generatedRates = await measureGenerated();
  const dubanRates = measureDuban();
  rounds.push({ generatedRates, dubanRates });
}

const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const { version } = createRequire(import.meta.url)('postgraphile/package.json');
console.log(`PostGraphile ${version} and Duban on one database, alternated; req/s by round:`);
console.log();
console.log('| query | conns | Duban | PostGraphile | Duban ÷ PostGraphile |');
console.log('|---|---:|---|---|---|');
for (const [n, name] of QUERIES) {
  for (const connections of connectionCounts) {
    const key = `${n}@${connections}`;
    const duban = rounds.map((r) => r.dubanRates.get(key));
    const other = rounds.map((r) => r.generatedRates.get(key));
    const ratio = rounds.map((_, i) => (duban[i] / other[i]).toFixed(2));
    console.log(`| ${n}. ${name} | ${connections} | ${duban.map(fmt).join(', ')} | ` +
      `${other.map(fmt).join(', ')} | ${ratio.join(', ')} |`);
  }
}
postgraphile.kill();
