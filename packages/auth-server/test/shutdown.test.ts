import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { trackRequests } from '../src/shutdown.ts';

// A server whose requests to /hold wait until released, for draining with requests in flight.
async function holdingServer() {
  const releases: Array<() => void> = [];
  const server = http.createServer((request, response) => {
    if (request.url === '/hold') releases.push(() => response.end('held'));
    else response.end('quick');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const drainable = trackRequests(server);
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true });
  const get = (path: string, via: http.Agent | false = agent) =>
    new Promise<{ body: string; connection: string | undefined }>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path, agent: via }, (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => {
            body += chunk.toString();
          });
          response.on('end', () => resolve({ body, connection: response.headers.connection }));
        })
        .on('error', reject);
    });
  const held = async () => {
    for (let i = 0; i < 200 && drainable.inFlight === 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  return { server, drainable, get, releases, held, agent };
}

test('drain: refuses new connections, answers the request in flight with Connection: close, closes idle keep-alive connections', async (t) => {
  const { drainable, get, releases, held, agent } = await holdingServer();
  const idleAgent = new http.Agent({ keepAlive: true });
  t.teardown(() => {
    agent.destroy();
    idleAgent.destroy();
  });
  t.is((await get('/quick', idleAgent)).connection, 'keep-alive');
  const idle = Object.values(idleAgent.freeSockets).flat()[0];
  const idleClosed = idle ? once(idle, 'close') : Promise.reject(new Error('no idle socket'));
  const inFlight = get('/hold');
  await held();
  t.is(drainable.inFlight, 1);

  const drained = drainable.drain(10_000);
  await idleClosed;
  t.pass('the idle keep-alive connection was closed at once');
  const refused = await get('/quick', false).catch((error: NodeJS.ErrnoException) => error.code);
  t.is(refused, 'ECONNREFUSED');
  releases[0]?.();
  t.deepEqual(await inFlight, { body: 'held', connection: 'close' });
  t.deepEqual(await drained, { cut: 0 }, 'done without cutting anything');
  t.is(drainable.inFlight, 0);
});

test('drain: a request still running when the grace period ends is cut', async (t) => {
  const { drainable, get, held, agent } = await holdingServer();
  t.teardown(() => agent.destroy());
  const inFlight = get('/hold');
  await held();
  t.deepEqual(await drainable.drain(50), { cut: 1 });
  await t.throwsAsync(inFlight);
});

test('drain with nothing in flight resolves at once', async (t) => {
  const { drainable, get, agent } = await holdingServer();
  t.teardown(() => agent.destroy());
  await get('/quick');
  t.deepEqual(await drainable.drain(60_000), { cut: 0 });
});
