import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  type AuditEventType,
  createArtifactsRepository,
  createAuditRepository,
} from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test, { type ExecutionContext } from 'ava';
import { run } from '../src/index.ts';
import { type CliResult, cli, cliJson } from './helpers.ts';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/bin.ts');
const PASSWORD = 'never-in-the-trail-1';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

interface EventJson {
  id: string;
  occurred_at: string;
  type: AuditEventType;
  actor: string;
  client_id: string | null;
  subject: string | null;
  address: string | null;
  details: Record<string, unknown>;
}

/** Runs the CLI in process as the named operator (PORTCULLIS_ACTOR). */
async function as(actor: string, args: string[], stdin = ''): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(String(chunk));
        done();
      },
    });
  const code = await run(args, {
    env: { DATABASE_URL: database.url, PORTCULLIS_ACTOR: actor },
    stdout: sink((text) => {
      stdout += text;
    }),
    stderr: sink((text) => {
      stderr += text;
    }),
    stdin: Readable.from([stdin]),
  });
  return { code, stdout, stderr };
}

/** A usage error: exit 2, one line on stderr, nothing on stdout. */
function usageError(t: ExecutionContext, result: CliResult, why: RegExp) {
  t.is(result.code, 2, result.stderr);
  t.regex(result.stderr, why);
  t.is(result.stderr.trim().split('\n').length, 1, result.stderr);
  t.is(result.stdout, '');
}

const events = (args: string[] = []) => cliJson<EventJson[]>(database, ['audit', 'list', ...args]);
const record = (type: AuditEventType, fields: { clientId?: string; at?: Date } = {}) =>
  fields.at
    ? database.db('audit_events').insert({
        type,
        actor: 'system',
        client_id: fields.clientId ?? null,
        occurred_at: fields.at,
        details: JSON.stringify({ note: 'inserted by the test' }),
      })
    : createAuditRepository(database.db).record({
        type,
        actor: 'system',
        clientId: fields.clientId ?? null,
        details: { note: 'inserted by the test' },
      });

// Serial: these tests read the one trail of this file's database.
test.serial('users commands record who changed which user, never the password', async (t) => {
  const created = await as(
    'ops-alice',
    ['users', 'create', '--username', 'dora', '--password-stdin', '--json'],
    `${PASSWORD}\n`,
  );
  t.is(created.code, 0, created.stderr);
  const id = (JSON.parse(created.stdout) as { id: string }).id;
  for (const args of [
    ['users', 'set-password', 'dora', '--password-stdin'],
    ['users', 'disable', 'dora'],
    ['users', 'enable', 'DORA'],
    ['users', 'delete', id],
  ]) {
    const result = await as('ops-alice', args, `${PASSWORD}-2\n`);
    t.is(result.code, 0, result.stderr);
  }
  const trail = await events();
  t.deepEqual(
    trail.map((e) => [e.type, e.actor, e.subject, e.details]),
    [
      ['user.created', 'cli:ops-alice', id, { username: 'dora' }],
      ['user.updated', 'cli:ops-alice', id, { username: 'dora', changed: ['password'] }],
      ['user.disabled', 'cli:ops-alice', id, { username: 'dora' }],
      ['user.enabled', 'cli:ops-alice', id, { username: 'dora' }],
      ['user.deleted', 'cli:ops-alice', id, { username: 'dora' }],
    ],
  );
  const stored = JSON.stringify(await database.db('audit_events').select('*'));
  t.false(stored.includes(PASSWORD), 'no password in any audit row');

  // A change that fails records nothing: the event shares the change's transaction.
  const refused = await as('ops-alice', ['users', 'disable', 'nobody']);
  t.is(refused.code, 1);
  t.is((await events()).length, trail.length);
});

test.serial('grants revoke records consent.revoked with the client and the user', async (t) => {
  const erin = await as(
    'ops-bob',
    ['users', 'create', '--username', 'erin', '--password-stdin', '--json'],
    `${PASSWORD}\n`,
  );
  const accountId = (JSON.parse(erin.stdout) as { id: string }).id;
  const artifacts = createArtifactsRepository(database.db);
  const grant = (grantId: string, clientId: string) =>
    artifacts.upsert(
      'Grant',
      grantId,
      {
        kind: 'Grant',
        jti: grantId,
        accountId,
        clientId,
        openid: { scope: 'openid' },
        iat: Math.floor(Date.now() / 1000),
      },
      3600,
    );
  await grant('grant-1', 'client-a');
  await grant('grant-2', 'client-a');
  await grant('grant-3', 'client-b');

  const one = await as('ops-bob', ['grants', 'revoke', 'grant-1', '--json']);
  t.is(one.code, 0, one.stderr);
  const byUser = await as('ops-bob', [
    'grants',
    'revoke',
    '--user',
    'erin',
    '--client',
    'client-b',
    '--json',
  ]);
  t.deepEqual(JSON.parse(byUser.stdout), { revoked: 1 });
  const revoked = await events(['--type', 'consent.revoked']);
  t.deepEqual(
    revoked.map((e) => [e.actor, e.client_id, e.subject, e.details]),
    [
      ['cli:ops-bob', 'client-a', accountId, { grant_id: 'grant-1', via: 'cli' }],
      ['cli:ops-bob', 'client-b', accountId, { grant_id: 'grant-3', via: 'cli' }],
    ],
  );
  const missing = await as('ops-bob', ['grants', 'revoke', 'grant-1']);
  t.is(missing.code, 1);
  t.is(
    (await events(['--type', 'consent.revoked'])).length,
    2,
    'nothing revoked, nothing recorded',
  );
});

test.serial('list filters by type, client and time, and shows the latest --limit', async (t) => {
  await database.db('audit_events').delete();
  const twoHoursAgo = new Date(Date.now() - 2 * 3600e3);
  await record('signin.failed', { clientId: 'app-1', at: twoHoursAgo });
  await record('signin.failed', { clientId: 'app-1' });
  await record('signin.failed', { clientId: 'app-2' });
  await record('consent.granted', { clientId: 'app-1' });

  t.is((await events()).length, 4);
  const app1Failures = await events(['--type', 'signin.failed', '--client', 'app-1']);
  t.deepEqual(
    app1Failures.map((e) => [e.type, e.client_id]),
    [
      ['signin.failed', 'app-1'],
      ['signin.failed', 'app-1'],
    ],
  );
  t.is(app1Failures[0]?.occurred_at, twoHoursAgo.toISOString());
  t.is((await events(['--type', 'signin.failed', '--client', 'app-1', '--since', '1h'])).length, 1);
  t.is((await events(['--since', '1h'])).length, 3);
  t.is((await events(['--since', '3h'])).length, 4);
  t.is((await events(['--since', new Date(Date.now() - 3600e3).toISOString()])).length, 3);
  t.is((await events(['--since', '2000-01-01'])).length, 4);
  t.is((await events(['--client', 'app-2'])).length, 1);
  const latest = await events(['--limit', '2']);
  t.deepEqual(
    latest.map((e) => e.type),
    ['signin.failed', 'consent.granted'],
    'the latest two, oldest first',
  );
  t.true(Number(latest[0]?.id) < Number(latest[1]?.id));
  t.deepEqual(await events(['--type', 'user.deleted']), []);
});

test.serial(
  'the table shows time, type, actor, client, subject, address and details',
  async (t) => {
    await database.db('audit_events').delete();
    await createAuditRepository(database.db).record({
      type: 'consent.granted',
      actor: 'user:u1',
      clientId: 'app-9',
      subject: 'u1',
      address: '203.0.113.9',
      details: { grant_id: 'g1', scope: 'openid', resources: { 'https://api': 'notes:read' } },
    });
    await createAuditRepository(database.db).record({
      type: 'signin.failed',
      actor: 'anonymous',
      details: { via: 'account', unknown_user: true, note: 'bell\u0007 and \u001b[31mred' },
    });
    const result = await cli(database, ['audit', 'list']);
    t.is(result.code, 0, result.stderr);
    const [header, rule, first, second] = result.stdout.trimEnd().split('\n');
    t.regex(header ?? '', /^TIME +TYPE +ACTOR +CLIENT +SUBJECT +ADDRESS +DETAILS$/);
    t.regex(rule ?? '', /^-+ +-+/);
    t.regex(
      first ?? '',
      /^\d{4}-\d\d-\d\dT\S+Z +consent\.granted +user:u1 +app-9 +u1 +203\.0\.113\.9 +scope=openid grant_id=g1 resources=\{"https:\/\/api":"notes:read"\}$/,
    );
    t.regex(second ?? '', /signin\.failed +anonymous +- +- +- +via=account .*unknown_user=true/);
    t.false(
      result.stdout.includes('\u0007') || result.stdout.includes('\u001b'),
      'no control characters reach the terminal',
    );
    t.regex(second ?? '', /note=bell\? and \?\[31mred/);
    t.is(result.stderr, '');

    await database.db('audit_events').delete();
    t.is((await cli(database, ['audit', 'list'])).stdout, '(none)\n');
  },
);

test('bad --since, --type and --limit: one line, exit 2', async (t) => {
  usageError(t, await cli(database, ['audit', 'list', '--since', 'yesterday']), /--since must be/);
  usageError(t, await cli(database, ['audit', 'list', '--since', '1y']), /--since must be/);
  usageError(t, await cli(database, ['audit', 'list', '--since', '2025-13-45']), /--since/);
  usageError(
    t,
    await cli(database, ['audit', 'list', '--type', 'signin']),
    /--type "signin" is not an event type: one of client\.created, .*signin\.failed/,
  );
  usageError(t, await cli(database, ['audit', 'list', '--limit', '0']), /--limit must be/);
  usageError(t, await cli(database, ['audit', 'list', '--limit', 'ten']), /--limit must be/);
  usageError(t, await cli(database, ['audit', 'list', '--limit', '10001']), /--limit must be/);
  usageError(t, await cli(database, ['audit', 'tail', '--type', 'nope']), /not an event type/);
  usageError(t, await cli(database, ['audit', 'list', '--frobnicate']), /unknown option/);
  usageError(t, await cli(database, ['audit', 'list', '--since']), /argument missing/);
});

test('list and tail explain themselves with an example', async (t) => {
  for (const command of ['list', 'tail']) {
    const help = await cli(database, ['audit', command, '--help']);
    t.is(help.code, 0);
    t.regex(help.stdout, /Example:\n {2}\$ portcullis audit /);
    t.regex(help.stdout, /--json/);
  }
});

/** `portcullis audit tail` as a child process, with its output as lines. */
function startTail(args: string[]) {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [bin, 'audit', 'tail', ...args],
    { env: { PATH: process.env.PATH, DATABASE_URL: database.url } },
  );
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const waitFor = (done: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (done()) {
          child.stdout.off('data', check);
          child.stderr.off('data', check);
          resolve();
        }
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      void exited.then(() => (done() ? resolve() : reject(new Error(`tail exited: ${stderr}`))));
      check();
    });
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = () => stdout.split('\n').filter(Boolean);
  return {
    lines,
    stderr: () => stderr,
    /** Resolves once the tail has chosen where to start: events after this are printed. */
    ready: () => waitFor(() => /following the audit trail after event \d+/.test(stderr)),
    /** Resolves once `n` lines were printed. */
    printed: (n: number) => waitFor(() => lines().length >= n),
    async stop(signal: NodeJS.Signals) {
      child.kill(signal);
      return exited;
    },
  };
}

test.serial(
  'tail prints new events as they arrive, as JSON lines, and exits 0 on SIGINT',
  async (t) => {
    await record('signin.failed', { clientId: 'before-start' });
    const tail = startTail(['--json']);
    await tail.ready();

    await record('signin.failed', { clientId: 'tail-1' });
    await tail.printed(1);
    const created = await as(
      'ops-carl',
      ['users', 'create', '--username', 'fay', '--password-stdin'],
      `${PASSWORD}\n`,
    );
    t.is(created.code, 0, created.stderr);
    await tail.printed(2);

    // An event whose transaction commits after a later event was already printed still comes.
    const late = await database.db.transaction();
    await createAuditRepository(late).record({
      type: 'consent.granted',
      actor: 'system',
      clientId: 'late',
    });
    await record('consent.revoked', { clientId: 'early' });
    await tail.printed(3);
    await late.commit();
    await tail.printed(4);

    const printed = tail.lines().map((line) => JSON.parse(line) as EventJson);
    t.deepEqual(
      printed.map((e) => [e.type, e.client_id ?? e.actor]),
      [
        ['signin.failed', 'tail-1'],
        ['user.created', 'cli:ops-carl'],
        ['consent.revoked', 'early'],
        ['consent.granted', 'late'],
      ],
      'nothing from before the start, each event once',
    );
    t.deepEqual(Object.keys(printed[0] as EventJson).sort(), [
      'actor',
      'address',
      'client_id',
      'details',
      'id',
      'occurred_at',
      'subject',
      'type',
    ]);
    t.is(await tail.stop('SIGINT'), 0);
    t.regex(tail.stderr(), /received SIGINT, stopping/);
    t.is(tail.lines().length, 4);
  },
);

test.serial(
  'tail --type --client prints only matching events, as table rows; SIGTERM ends it with 0',
  async (t) => {
    const tail = startTail(['--type', 'signin.failed', '--client', 'app-x']);
    await tail.ready();
    await record('signin.failed', { clientId: 'app-y' });
    await record('consent.granted', { clientId: 'app-x' });
    await record('signin.failed', { clientId: 'app-x' });
    await tail.printed(1);
    await record('signin.failed', { clientId: 'app-x' });
    await tail.printed(2);
    for (const line of tail.lines()) {
      t.regex(
        line,
        /^\d{4}-\d\d-\d\dT\S+Z {2}signin\.failed {2}system {2}app-x {2}- {2}- {2}note=inserted by the test$/,
      );
    }
    t.is(await tail.stop('SIGTERM'), 0);
    t.is(tail.lines().length, 2, 'the other events were never printed');
  },
);
