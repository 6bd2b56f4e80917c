import { setTimeout as sleep } from 'node:timers/promises';
import { createAuditRepository } from '@portcullis/storage';
import test from 'ava';
import { type EventJson, recordEvent } from './audit-fixtures.ts';
import { type ChildCli, startCli } from './child-cli.ts';
import { exampleResourceDatabase } from './clients-fixtures.ts';
import { cli } from './helpers.ts';
import { remoteServe } from './remote-fixtures.ts';

// Every audit command run locally (the database) and remotely (`--server`, the admin API of a
// real `serve`) on one trail: the outputs must be the same, word for word. The tests are serial:
// each compares two reads of a trail that no other test may add to meanwhile.

const serve = remoteServe('admin:read');
const HOUR = 3600_000;
const database = exampleResourceDatabase(async () => {
  await serve.start(database);
  // More events than a page of the API (200), some hours old, for the clients the filters name.
  const rows = Array.from({ length: 260 }, (_, i) => ({
    type: i % 3 === 0 ? 'signin.failed' : 'consent.granted',
    actor: 'system',
    client_id: i % 2 === 0 ? 'app-even' : 'app-odd',
    occurred_at: new Date(Date.now() - (3 + (260 - i) / 100) * HOUR),
    details: JSON.stringify({ n: i }),
  }));
  await database.db('audit_events').insert(rows);
  await recordEvent(database, 'client.disabled', { clientId: 'app-even' });
});

const CASES: string[][] = [
  ['audit', 'list'],
  ['audit', 'list', '--json'],
  ['audit', 'list', '--limit', '3'],
  ['audit', 'list', '--limit', '250', '--json'],
  ['audit', 'list', '--limit', '10000', '--type', 'signin.failed'],
  ['audit', 'list', '--client', 'app-odd', '--limit', '201'],
  ['audit', 'list', '--since', '1h'],
  ['audit', 'list', '--since', '2999-01-01'],
  ['audit', 'list', '--type', 'nope'],
  ['audit', 'list', '--limit', '0'],
];

test.serial('audit list: the same output in both modes', async (t) => {
  for (const args of CASES) {
    // Remote first: its token request is not an event, but if it were, both would show it.
    const there = await serve.cli(args);
    const here = await cli(database, args);
    t.deepEqual(there, here, args.join(' '));
  }
  const paged = await serve.cli(['audit', 'list', '--limit', '250', '--json']);
  const events = JSON.parse(paged.stdout) as EventJson[];
  t.is(events.length, 250, 'two pages of the API, the latest 250');
  t.is(events.at(-1)?.type, 'client.disabled', 'oldest first, the latest last');
  t.is(new Set(events.map((e) => e.id)).size, 250);
});

/** `audit tail ...args` as a child process, remote (`--server`) or local. */
function startTail(mode: 'local' | 'remote', args: string[]): ChildCli {
  const env =
    mode === 'local'
      ? { DATABASE_URL: database.url }
      : { ...serve.env, PORTCULLIS_SERVER: serve.server.href };
  return startCli(['audit', 'tail', ...args], env);
}

/** Waits until `done` holds of the child's output, or it exits. */
async function until(child: ChildCli, done: () => boolean): Promise<void> {
  let exited = false;
  void child.exited().then(() => {
    exited = true;
  });
  while (!done() && !exited) await sleep(50);
}

const lines = (child: ChildCli) => child.stdout().split('\n').filter(Boolean);

test.serial('audit tail: the same lines in both modes, late commits included', async (t) => {
  for (const args of [['--json'], ['--type', 'signin.failed', '--client', 'app-x']]) {
    const tails = [startTail('local', args), startTail('remote', args)];
    t.teardown(() => Promise.all(tails.map((tail) => tail.stop('SIGKILL'))));
    for (const tail of tails) {
      await until(tail, () => /following the audit trail after event \d+/.test(tail.stderr()));
    }
    await recordEvent(database, 'signin.failed', { clientId: 'app-x' });
    await recordEvent(database, 'consent.granted', { clientId: 'app-x' });
    // An event whose transaction commits after a later one was printed still comes, once.
    const late = await database.db.transaction();
    await createAuditRepository(late).record({
      type: 'signin.failed',
      actor: 'system',
      clientId: 'app-x',
    });
    await recordEvent(database, 'signin.failed', { clientId: 'app-y' });
    const expected = args.includes('--json') ? 3 : 1;
    for (const tail of tails) await until(tail, () => lines(tail).length >= expected);
    await late.commit();
    for (const tail of tails) await until(tail, () => lines(tail).length >= expected + 1);
    const [local, remote] = await Promise.all(
      tails.map(async (tail) => ({ code: await tail.stop('SIGINT'), lines: lines(tail) })),
    );
    t.is(remote?.code, 0, tails[1]?.stderr());
    t.deepEqual(remote, local, args.join(' '));
    t.is(local?.lines.length, expected + 1);
  }
});
