import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAuditRepository } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { as as asActor, type EventJson, recordEvent } from './audit-fixtures.ts';
import { cli, failsWithOneLine, showsHelpWithExample } from './helpers.ts';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/bin.ts');
const PASSWORD = 'never-in-the-trail-1';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

const as = (actor: string, args: string[], stdin = '') => asActor(database, actor, args, stdin);
const record = (type: EventJson['type'], fields: { clientId?: string } = {}) =>
  recordEvent(database, type, fields);

test('usage errors: a bad --type, an unknown option, an argument; exit 2', async (t) => {
  failsWithOneLine(
    t,
    await cli(database, ['audit', 'tail', '--type', 'nope']),
    /not an event type/,
    2,
  );
  failsWithOneLine(
    t,
    await cli(database, ['audit', 'tail', '--since', '1h']),
    /unknown option '--since'/,
    2,
  );
  failsWithOneLine(t, await cli(database, ['audit', 'tail', 'now']), /too many arguments/, 2);
});

test('--help has an example and says how it ends', async (t) => {
  const help = await showsHelpWithExample(t, database, ['audit', 'tail']);
  t.regex(help, /Runs until Ctrl-C \(SIGINT\) or SIGTERM, then exits 0/);
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
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
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
