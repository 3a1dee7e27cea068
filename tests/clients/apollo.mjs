// Automatic persisted queries as Apollo Client does them: hashed queries over GET, the full
// query sent (by POST) only when the server says it does not know the hash yet.
//
//   node apollo.mjs http://127.0.0.1:18000/graphql <access-token>
//
// Runs `query Me { me { username role } }` twice (fetchPolicy 'network-only') and prints one
// JSON object on stdout:
//   {"results":[data1, data2], "errors":[message…], "requests":[request…]}
// where request = {"method","hasQuery","hasHash","status"}: whether the full query text was
// sent (URL or body), whether extensions.persistedQuery.sha256Hash was sent, the HTTP status.
// With a conforming server: GET hash-only (PersistedQueryNotFound), POST query+hash (data),
// GET hash-only (data).
// exit: 0 when the script ran (whatever it found); non-zero only if the script crashed.

import { createHash } from 'node:crypto';

// Only the JSON result goes to stdout (Apollo's dev messages go through console.*).
console.log = console.info = console.debug = (...args) => console.error(...args);

// Apollo Client 3 ships ES modules without an `exports` map, so Node needs the file paths.
const { ApolloClient, InMemoryCache, HttpLink, gql } = await import('@apollo/client/core/index.js');
const { createPersistedQueryLink } = await import('@apollo/client/link/persisted-queries/index.js');

const ME = gql`
  query Me {
    me {
      username
      role
    }
  }
`;

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

function parseJson(text) {
  if (typeof text !== 'string' || text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function hashOf(extensions) {
  const hash = extensions?.persistedQuery?.sha256Hash;
  return typeof hash === 'string' && hash.length > 0;
}

/** What a request carried: the full query text, the persisted-query hash. */
function inspectRequest(url, init) {
  const method = String(init?.method ?? 'GET').toUpperCase();
  let hasQuery = false;
  let hasHash = false;
  try {
    const params = new URL(String(url)).searchParams;
    hasQuery ||= (params.get('query') ?? '') !== '';
    hasHash ||= hashOf(parseJson(params.get('extensions') ?? ''));
  } catch {
    // not an absolute URL: nothing in it to read
  }
  const body = parseJson(typeof init?.body === 'string' ? init.body : undefined);
  const payloads = Array.isArray(body) ? body : body ? [body] : [];
  for (const payload of payloads) {
    hasQuery ||= typeof payload?.query === 'string' && payload.query !== '';
    hasHash ||= hashOf(payload?.extensions);
  }
  return { method, hasQuery, hasHash };
}

function errorMessages(err) {
  const messages = [];
  if (!err) return messages;
  for (const e of err.graphQLErrors ?? []) messages.push(e?.message ?? String(e));
  for (const e of err.protocolErrors ?? []) messages.push(e?.message ?? String(e));
  for (const e of err.clientErrors ?? []) messages.push(e?.message ?? String(e));
  const net = err.networkError;
  if (net) {
    const serverErrors = net.result?.errors;
    if (Array.isArray(serverErrors) && serverErrors.length > 0) {
      for (const e of serverErrors) {
        messages.push(`network (HTTP ${net.statusCode ?? '?'}): ${e?.message ?? JSON.stringify(e)}`);
      }
    } else {
      messages.push(`network: ${net.message ?? String(net)}`);
    }
  }
  if (messages.length === 0) messages.push(err.message ?? String(err));
  return messages;
}

async function main() {
  const [uri, token] = process.argv.slice(2);
  if (!uri || !token) {
    console.error('usage: node apollo.mjs <http-url> <access-token>');
    process.exit(2);
  }

  const requests = [];
  const wrappedFetch = async (url, init) => {
    const record = { ...inspectRequest(url, init), status: null };
    requests.push(record);
    console.error(`apollo: ${record.method} ${String(url).slice(0, 200)}`);
    try {
      const res = await fetch(url, init);
      record.status = res.status;
      return res;
    } catch (err) {
      record.error = String(err?.message ?? err);
      throw err;
    }
  };

  const link = createPersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(
    new HttpLink({ uri, headers: { authorization: `Bearer ${token}` }, fetch: wrappedFetch }),
  );
  const client = new ApolloClient({ link, cache: new InMemoryCache() });

  const results = [];
  const errors = [];
  for (let i = 0; i < 2; i += 1) {
    try {
      const result = await client.query({ query: ME, fetchPolicy: 'network-only' });
      results.push(result.data ?? null);
      for (const e of result.errors ?? []) errors.push(e?.message ?? String(e));
      if (result.error) errors.push(...errorMessages(result.error));
    } catch (err) {
      results.push(null);
      errors.push(...errorMessages(err));
    }
  }
  client.stop();

  process.stdout.write(`${JSON.stringify({ results, errors, requests })}\n`);
}

main().catch((err) => {
  console.error('apollo.mjs crashed:', err);
  process.exit(1);
});
