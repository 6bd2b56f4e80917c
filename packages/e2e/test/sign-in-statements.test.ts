import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import * as client from 'openid-client';
import { discoverClient, HttpBrowser, type Stack, startStack, submitForm } from '../src/index.ts';

// How many SQL statements one third-party sign-in costs the authorization server: authorization
// request, login form, consent form, code exchange (issue 16, item 2). A count, not a time: the
// same flow makes the same statements on any machine.
const REDIRECT = 'http://127.0.0.1:8765/callback';
const PASSWORD = 'correct horse battery staple';

let database: TestDatabase;
let stack: Stack;
let app: { client_id: string; client_secret: string };

test.before(async () => {
  database = await createTestDatabase();
  stack = await startStack(database.db, database.url);
  await stack.cli(['users', 'create', '--username', 'alice', '--password-stdin'], `${PASSWORD}\n`);
  await stack.cli(['users', 'create', '--username', 'bob', '--password-stdin'], `${PASSWORD}\n`);
  app = await stack.cli([
    'clients',
    'create',
    '--name',
    'Notes Viewer',
    '--grant',
    'authorization_code',
    '--redirect-uri',
    REDIRECT,
    '--resource',
    stack.api,
    '--scope',
    'openid notes:read',
  ]);
});
test.after.always(async () => {
  await stack?.stop();
  await database?.drop();
});

/** One flow of `username` to the app: authorize, login, consent, code exchange. */
async function signIn(config: client.Configuration, username: string) {
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid notes:read',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const browser = new HttpBrowser(stack.issuer);
  let step = await browser.follow(url.href);
  for (let i = 0; i < 3 && !step.left; i += 1) {
    const isLogin = (await step.response.clone().text()).includes('name="password"');
    const fields: Record<string, string> = isLogin
      ? { username, password: PASSWORD }
      : { decision: 'approve' };
    step = (await submitForm(browser, step, fields)).next;
  }
  if (!step.left) throw new Error(`no redirect back: ${step.response.status}`);
  return client.authorizationCodeGrant(config, new URL(step.left), { pkceCodeVerifier: verifier });
}

// Work of the process on its own schedule (signing keys, the janitor), not of the flow.
const BACKGROUND = /signing_keys|pg_try_advisory/;

const MODELS = new Set(['Interaction', 'Session', 'Grant', 'AuthorizationCode']);

/** A statement as `verb table` (`verb Model` for oidc-provider's artifacts), for the list. */
function label(query: { sql: string; bindings?: unknown[] }): string {
  const verb = /^\s*(\w+)/.exec(query.sql)?.[1] ?? '?';
  const models = (query.bindings ?? []).filter(
    (b): b is string => typeof b === 'string' && MODELS.has(b),
  );
  // Artifacts written in one statement with what their request left waiting: deletions, audit
  // events. The bindings name the deleted first (and the uid a session takes over), then the
  // written; these are listed sorted.
  if (/^(with "(destroyed|audited|written_0)"|insert into "oidc_artifacts")/.test(query.sql)) {
    const deleted = /"destroyed" as \(delete .*? in \(((?:\(\$\d+, \$\d+\)(?:, )?)+)\)/
      .exec(query.sql)?.[1]
      ?.split('), (').length;
    const rotates = query.sql.includes('is distinct from');
    const written = models.slice((deleted ?? 0) + (rotates ? 1 : 0)).sort();
    return [
      `write ${written.join(' + ')}`,
      ...(deleted ? [`delete ${models.slice(0, deleted).join(' + ')}`] : []),
      ...(rotates ? ['the session renamed'] : []),
      ...(query.sql.includes('"audited" as') ? ['insert audit_events'] : []),
    ].join(', ');
  }
  const model = models[0];
  if (query.sql.includes('"oidc_artifacts"') && typeof model === 'string') {
    const byUid = /where .*"uid" = \$/.test(query.sql) ? ' by uid' : '';
    const ofUser = query.sql.includes("payload->>'accountId'") ? ' of the user and app' : '';
    const related = query.sql.includes('left join') ? ' with its Session and Grant' : '';
    return `${verb} ${model}${byUid}${ofUser}${related}`;
  }
  // A quoted name is knex's; the raw statements' own name their tables unquoted.
  const table =
    /(?:from|into|update)\s+"(\w+)"/.exec(query.sql)?.[1] ??
    /(?:from|into|update)\s+(\w+)/.exec(query.sql)?.[1] ??
    '?';
  return `${verb} ${table}`;
}

// 44 before issue 16; 40 with each request reading an interaction, session or grant once and a
// code redeemed for a JWT alone consumed without a transaction around its one UPDATE; 34 with the
// session read once by uid too, a user read with whether they have a second factor, the passkey
// challenge kept or replaced in one statement, and the identity providers' list kept by the
// process (read again when one changes); 30 with the sign-in's and the consent's audit events
// written in the statement that saves the interaction's result, and the resumed interaction
// deleted in the statement of the request's next write; 26 with the writes of a resume and of the
// consent POST held and written together in one statement before the response, the session's
// rotation included (its row renamed to the new id, not deleted and inserted); 24 with the code
// read at the token endpoint together with its session and grant. What is left is mostly
// oidc-provider's interaction round trips (docs/benchmarks.md).
const STATEMENTS_PER_FLOW = [
  // GET /auth: the authorization request.
  'write Interaction',
  // GET /interaction/:uid: the login page, with its passkey challenge.
  'select Interaction',
  'with webauthn_challenges',
  // POST /interaction/:uid/login: the password; the result and its audit event.
  'select Interaction',
  'select users',
  'write Interaction, insert audit_events',
  // GET /auth/:uid: the login's result; consent is still needed: the next interaction and the
  // new session, the last interaction deleted.
  'select Interaction',
  'select users',
  'select Grant of the user and app',
  'write Interaction + Session, delete Interaction',
  // GET /interaction/:uid: the consent page.
  'select Interaction',
  'select Session by uid',
  'select users',
  // POST /interaction/:uid/confirm: the consent; the grant, the result and its audit event.
  'select Interaction',
  'select Session by uid',
  'write Grant + Interaction, insert audit_events',
  // GET /auth/:uid: the consent's result; the code, and the session under a new id (its row
  // renamed), the interaction deleted.
  'select Session',
  'select Interaction',
  'select users',
  'select Grant',
  'write AuthorizationCode + Session, delete Interaction + Session, the session renamed',
  // POST /token: the code for tokens, read with the session and grant it names.
  'select AuthorizationCode with its Session and Grant',
  'select users',
  'update AuthorizationCode',
];

test.serial('one sign-in flow makes a known number of SQL statements', async (t) => {
  const config = await discoverClient(stack.issuer, app);
  // The first flow warms what the process keeps (signing keys, the client, the resources).
  await signIn(config, 'alice');
  const statements: Array<{ sql: string; bindings?: unknown[] }> = [];
  const onQuery = (query: { sql: string; bindings?: unknown[] }) => {
    if (!BACKGROUND.test(query.sql)) statements.push(query);
  };
  database.db.on('query', onQuery);
  try {
    const tokens = await signIn(config, 'bob');
    t.truthy(tokens.access_token);
    t.truthy(tokens.id_token);
  } finally {
    database.db.off('query', onQuery);
  }
  t.deepEqual(statements.map(label), STATEMENTS_PER_FLOW, statements.map((q) => q.sql).join('\n'));
  t.is(statements.length, 24);
  // The code is consumed by one conditional UPDATE of its own (authorization-code.test.ts
  // redeems one twice).
  t.is(statements.filter(({ sql }) => sql.startsWith('update "oidc_artifacts"')).length, 1);
  t.false(statements.some(({ sql }) => sql === 'BEGIN;'));
});
