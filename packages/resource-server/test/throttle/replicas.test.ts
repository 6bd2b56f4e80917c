// Two API processes (real child processes, real HTTP) sharing one limit through Redis and
// through PostgreSQL: what each replica allows is the rate, not twice it.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import test, { type ExecutionContext } from 'ava';
import { createPostgresThrottleStore } from '../../src/postgres.ts';
import { generateTestKey, type TestKey } from '../helpers/keys.ts';
import { mintToken } from '../helpers/mint-token.ts';
import { send } from '../helpers/send.ts';
import {
  DATABASE_URL,
  openPostgresSchema,
  openRedis,
  REDIS_URL,
  redisAnswers,
  uniqueName,
} from '../helpers/shared-stores.ts';
import { startIssuer, type TestIssuer } from '../helpers/start-issuer.ts';

const fixture = path.join(import.meta.dirname, '../fixtures/throttled-api.ts');
const redisUp = await redisAnswers();
const prefix = `${uniqueName('rs-test')}:`;
const redis = redisUp ? openRedis(prefix) : undefined;
const postgres = await openPostgresSchema();
await createPostgresThrottleStore({ pool: postgres.pool, table: postgres.table }).setup();

let key: TestKey;
let issuer: TestIssuer;
test.before(async () => {
  key = await generateTestKey('key-1');
  issuer = await startIssuer([key.publicJwk]);
});
test.after.always(async () => {
  await issuer?.close();
  await redis?.close();
  await postgres.close();
});

/** Starts one API process and resolves with its URL once it listens. */
async function startReplica(t: ExecutionContext, env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, [fixture], {
    env: { ...process.env, ...env, JWKS_URI: issuer.jwksUri },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
  const lines = createInterface({ input: child.stdout! });
  const [url] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(() => {
      throw new Error('the API process exited before listening');
    }),
  ])) as [string];
  return url;
}

// Tokens of the real clock: the processes verify with it.
const bearer = async (clientId: string) => {
  const now = Math.floor(Date.now() / 1000);
  const claims = { client_id: clientId, iat: now, exp: now + 300 };
  return `Bearer ${await mintToken(key, { claims })}`;
};

const stores: Record<string, { available: boolean; env: () => Record<string, string> }> = {
  Redis: {
    available: redisUp,
    env: () => ({ THROTTLE_STORE: 'redis', REDIS_URL, REDIS_PREFIX: prefix }),
  },
  PostgreSQL: {
    available: true,
    env: () => ({
      THROTTLE_STORE: 'postgres',
      DATABASE_URL: DATABASE_URL!,
      THROTTLE_TABLE: postgres.table,
    }),
  },
};

for (const [kind, { available, env }] of Object.entries(stores)) {
  const row = available ? test : test.skip;

  row(`${kind}: two API processes take turns and share one client's limit`, async (t) => {
    // An hour's window: the whole test stays in one window or weighs the previous one fully.
    const settings = { ...env(), THROTTLE_RATE: '4/hour' };
    const urls = await Promise.all([startReplica(t, settings), startReplica(t, settings)]);
    const client = await bearer(uniqueName('client'));
    const pids = new Set<number>();
    for (let i = 0; i < 4; i += 1) {
      const response = await send('GET', `${urls[i % 2]}/r`, client);
      t.is(response.status, 200, `request ${i + 1}`);
      pids.add(response.body?.pid as number);
    }
    t.is(pids.size, 2, 'both processes served');
    for (const url of urls) {
      const refused = await send('GET', `${url}/r`, client);
      t.is(refused.status, 429, 'over the shared limit on either process');
      t.regex(refused.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    }
    const other = await bearer(uniqueName('client'));
    for (const url of urls) t.is((await send('GET', `${url}/r`, other)).status, 200);
  });

  row(
    `${kind}: 40 concurrent requests over two processes: exactly the limit of 10 pass`,
    async (t) => {
      const settings = { ...env(), THROTTLE_RATE: '10/hour' };
      const urls = await Promise.all([startReplica(t, settings), startReplica(t, settings)]);
      const client = await bearer(uniqueName('client'));
      const responses = await Promise.all(
        Array.from({ length: 40 }, (_, i) => send('GET', `${urls[i % 2]}/r`, client)),
      );
      const statuses = responses.map((response) => response.status);
      t.is(statuses.filter((status) => status === 200).length, 10);
      t.is(statuses.filter((status) => status === 429).length, 30);
    },
  );
}

test('the contrast: with in-process stores each of the two processes allows the full rate', async (t) => {
  const settings = { THROTTLE_STORE: 'memory', THROTTLE_RATE: '10/hour' };
  const urls = await Promise.all([startReplica(t, settings), startReplica(t, settings)]);
  const client = await bearer(uniqueName('client'));
  const responses = await Promise.all(
    Array.from({ length: 40 }, (_, i) => send('GET', `${urls[i % 2]}/r`, client)),
  );
  t.is(responses.filter((response) => response.status === 200).length, 20);
});
