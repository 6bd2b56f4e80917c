import { randomBytes } from 'node:crypto';
import { createJanitorRepository } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import {
  loadServerConfig,
  type PurgeReport,
  silentLogger,
  startJanitorSchedule,
} from '../src/index.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

async function seedExpired(n: number): Promise<void> {
  const { db } = database;
  await db('oidc_artifacts').insert(
    Array.from({ length: n }, (_, i) => ({
      model: 'AccessToken',
      id: `expired-${i}`,
      payload: '{}',
      expires_at: db.raw(`now() - interval '1 minute'`),
    })),
  );
}

const count = async () => Number((await database.db('oidc_artifacts').count({ n: '*' }))[0]?.n);

// Collects each round's outcome and lets a test wait for the next one.
function rounds() {
  const seen: Array<PurgeReport | 'busy' | Error> = [];
  const waiting: Array<() => void> = [];
  return {
    seen,
    onRound(outcome: PurgeReport | 'busy' | Error) {
      seen.push(outcome);
      waiting.shift()?.();
    },
    next: () => new Promise<void>((resolve) => waiting.push(resolve)),
  };
}

test.serial(
  'the schedule purges on its interval and skips a round while another holds the lock',
  async (t) => {
    await seedExpired(3);
    const observed = rounds();
    const janitor = createJanitorRepository(database.db);
    let schedule: ReturnType<typeof startJanitorSchedule> | undefined;
    await janitor.withLock(async () => {
      schedule = startJanitorSchedule({
        db: database.db,
        intervalSeconds: 0.02,
        logger: silentLogger,
        onRound: observed.onRound,
      });
      await observed.next();
    });
    t.teardown(() => schedule?.stop());
    t.is(observed.seen[0], 'busy', 'another process held the lock: this replica skipped the round');
    t.is(await count(), 3);

    while (!observed.seen.some((o) => typeof o === 'object' && !(o instanceof Error))) {
      await observed.next();
    }
    const report = observed.seen.find(
      (o): o is PurgeReport => typeof o === 'object' && !(o instanceof Error),
    );
    t.deepEqual(report?.expired, { AccessToken: 3 });
    t.is(await count(), 0);
    await schedule?.stop();
  },
);

test.serial('a failed round is logged and the schedule carries on', async (t) => {
  const broken = { ...database.db } as never;
  const warnings: string[] = [];
  const observed = rounds();
  const schedule = startJanitorSchedule({
    db: broken,
    intervalSeconds: 0.02,
    logger: { ...silentLogger, warn: (message) => warnings.push(message) },
    onRound: observed.onRound,
  });
  t.teardown(() => schedule.stop());
  await observed.next();
  await observed.next();
  t.true(observed.seen.every((o) => o instanceof Error));
  t.true(warnings.length >= 2);
  t.regex(warnings[0] ?? '', /janitor purge failed/);
});

test('PORTCULLIS_JANITOR_INTERVAL: 1h by default, a duration, or off', (t) => {
  const env = {
    PORTCULLIS_COOKIE_KEYS: randomBytes(32).toString('base64url'),
    PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
  };
  const interval = (value?: string) =>
    loadServerConfig(value === undefined ? env : { ...env, PORTCULLIS_JANITOR_INTERVAL: value }, {
      mode: 'development',
    }).janitorIntervalSeconds;
  t.is(interval(), 3600);
  t.is(interval('30m'), 1800);
  t.is(interval('off'), 0);
  t.is(interval('0'), 0);
  for (const bad of ['10s', '2d', 'hourly', '-1h']) {
    t.throws(() => interval(bad), { message: /PORTCULLIS_JANITOR_INTERVAL/ }, bad);
  }
});
