import { createAuditRepository } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test, { type ExecutionContext } from 'ava';
import { as as asActor, auditEvents, type EventJson, recordEvent } from './audit-fixtures.ts';
import { type CliResult, cli, failsWithOneLine, showsHelpWithExample } from './helpers.ts';

const PASSWORD = 'never-in-the-trail-1';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

const as = (actor: string, args: string[], stdin = '') => asActor(database, actor, args, stdin);
const events = (args: string[] = []) => auditEvents(database, args);
const record = (type: EventJson['type'], fields: { clientId?: string; at?: Date } = {}) =>
  recordEvent(database, type, fields);

/** A usage error: exit 2, one line on stderr, nothing on stdout. */
const usageError = (t: ExecutionContext, result: CliResult, why: RegExp) =>
  failsWithOneLine(t, result, why, 2);

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

test.serial('a list cut at --limit says so on stderr, never on stdout', async (t) => {
  await database.db('audit_events').delete();
  for (const type of ['signin.failed', 'signin.failed', 'signin.succeeded'] as const) {
    await record(type);
  }
  const cut = await cli(database, ['audit', 'list', '--limit', '2']);
  t.is(cut.code, 0, cut.stderr);
  t.is(cut.stdout.trimEnd().split('\n').length, 4, 'header, rule and two events');
  t.is(
    cut.stderr,
    'warning: showing only the latest 2 events: narrow with --since or --type, or raise --limit\n',
  );
  const json = await cli(database, ['audit', 'list', '--limit', '2', '--json']);
  t.is(json.stderr, '', '--json output is the whole answer');
  t.is((JSON.parse(json.stdout) as EventJson[]).length, 2);
  const whole = await cli(database, ['audit', 'list', '--limit', '3']);
  t.is(whole.stderr, '');
});

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
  usageError(t, await cli(database, ['audit', 'list', '--frobnicate']), /unknown option/);
  usageError(t, await cli(database, ['audit', 'list', '--since']), /argument missing/);
});

test('--help has an example', async (t) => {
  await showsHelpWithExample(t, database, ['audit', 'list']);
});
