// The DRF guide's throttle on a shared cache: two replicas of the guide's API, each with its own
// Redis client, share one client's limit of writes (10 an hour), over real HTTP and the machines'
// Redis (REDIS_URL, default redis://127.0.0.1:6379; skipped, and saying so, where none answers).
import { randomUUID } from 'node:crypto';
import test from 'ava';
import { Redis } from 'ioredis';
import { call } from '../helpers/api-client.ts';
import { listen } from '../helpers/listen.ts';
import { startTestIssuer } from '../helpers/test-issuer.ts';
import { createSharedThrottleApi } from './notes-api.ts';

const AUDIENCE = 'http://localhost:4000';
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

async function redisAnswers() {
  const probe = new Redis(redisUrl, { lazyConnect: true, retryStrategy: () => null });
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

const row = (await redisAnswers()) ? test : test.skip;

row(
  'two replicas of the API share one Redis limit: the 11th write of a client is 429',
  async (t) => {
    const issuer = await startTestIssuer();
    const clients = [new Redis(redisUrl), new Redis(redisUrl)];
    const replicas = await Promise.all(
      clients.map((redis) =>
        listen(createSharedThrottleApi({ issuer: issuer.url, audience: AUDIENCE }, redis)),
      ),
    );
    t.teardown(async () => {
      for (const replica of replicas) await replica.close();
      const keys = await clients[0]!.keys(`notes-api:*${clientId}*`);
      if (keys.length > 0) await clients[0]!.del(...keys);
      for (const redis of clients) redis.disconnect();
      await issuer.close();
    });
    const clientId = `guide-${randomUUID()}`;
    const token = issuer.mint(AUDIENCE, { scope: 'notes:write', client_id: clientId });
    for (let i = 0; i < 10; i += 1) {
      const response = await call(`${replicas[i % 2]!.url}/notes`, { method: 'POST', token });
      t.is(response.status, 200, `write ${i + 1}`);
    }
    for (const replica of replicas) {
      t.is((await call(`${replica.url}/notes`, { method: 'POST', token })).status, 429);
    }
  },
);
