import { once } from 'node:events';
import net from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { type Change, listenForChanges, notifyChange } from '../src/index.ts';
import {
  createTestDatabase,
  startFreezableProxy,
  type TestDatabase,
} from '../src/testing/index.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

/** Resolves once `check()` holds (polled), or rejects after `ms`. */
function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      clearInterval(poll);
      reject(new Error(`timed out waiting for ${what}`));
    }, ms);
    const poll = setInterval(() => {
      if (!check()) return;
      clearInterval(poll);
      clearTimeout(deadline);
      resolve();
    }, 10);
  });
}

function nextChange(received: Change[], count: number): Promise<void> {
  return waitFor(() => received.length >= count, 5000, 'a notification');
}

/** Starts a listener that collects changes; resolves once it is connected. */
async function collect(t: ExecutionContext, received: Change[]): Promise<void> {
  await new Promise<void>((resolve) => {
    const listener = listenForChanges(database.url, {
      onChange: (change) => received.push(change),
      onConnected: resolve,
    });
    t.teardown(() => listener.close());
  });
}

test.serial('a committed change reaches the listener; a rolled-back one never does', async (t) => {
  const received: Change[] = [];
  await collect(t, received);

  await database.db
    .transaction(async (trx) => {
      await notifyChange(trx, { kind: 'client', id: 'rolled-back' });
      throw new Error('abort');
    })
    .catch(() => {});
  await database.db.transaction(async (trx) => {
    await notifyChange(trx, { kind: 'client', id: 'c-1' });
  });
  await notifyChange(database.db, { kind: 'resource', id: 'https://api.example' });
  await nextChange(received, 2);
  t.deepEqual(received, [
    { kind: 'client', id: 'c-1' },
    { kind: 'resource', id: 'https://api.example' },
  ]);
});

test.serial('payloads that are not changes are ignored', async (t) => {
  const received: Change[] = [];
  await collect(t, received);
  await database.db.raw(`select pg_notify('portcullis_changes', 'not json')`);
  await database.db.raw(`select pg_notify('portcullis_changes', '{"kind":"evil","id":"x"}')`);
  await notifyChange(database.db, { kind: 'key', id: '*' });
  await nextChange(received, 1);
  t.deepEqual(received, [{ kind: 'key', id: '*' }]);
});

test.serial(
  'a connection that stops answering without closing is found by the heartbeat and replaced',
  async (t) => {
    // Between the listener and PostgreSQL, a proxy that can hold every byte without closing
    // anything: without pings the listener would look connected while notifications are lost.
    const proxy = await startFreezableProxy(Number(new URL(database.url).port || 5432));
    t.teardown(() => proxy.close());
    const url = new URL(database.url);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    const received: Change[] = [];
    const errors: string[] = [];
    let connections = 0;
    const listener = listenForChanges(url.toString(), {
      onChange: (change) => received.push(change),
      onConnected: () => {
        connections += 1;
      },
      onError: (error) => errors.push(error.message),
      heartbeatMs: 100,
      heartbeatTimeoutMs: 300,
      retryDelayMs: 50,
    });
    t.teardown(() => listener.close());
    await waitFor(() => connections === 1, 5000, 'the first connection');

    proxy.freeze();
    await waitFor(() => errors.length > 0, 5000, 'the heartbeat to give up');
    t.regex(errors[0] ?? '', /did not answer a ping within 300 ms/);
    t.false(listener.connected);
    // Notifications sent meanwhile are lost with the dead connection; the new one starts over
    // (`onConnected` again, where servers empty their caches).
    proxy.thaw();
    await waitFor(() => connections === 2, 5000, 'a new connection');
    t.true(listener.connected);
    await notifyChange(database.db, { kind: 'client', id: 'after-reconnect' });
    await nextChange(received, 1);
    t.deepEqual(received.at(-1), { kind: 'client', id: 'after-reconnect' });
  },
);

test.serial('close() returns even when the connection no longer answers', async (t) => {
  const proxy = await startFreezableProxy(Number(new URL(database.url).port || 5432));
  t.teardown(() => proxy.close());
  const url = new URL(database.url);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  let connected = false;
  const listener = listenForChanges(url.toString(), {
    onChange: () => {},
    onConnected: () => {
      connected = true;
    },
    heartbeatMs: 60_000,
    heartbeatTimeoutMs: 300,
  });
  await waitFor(() => connected, 5000, 'the connection');
  proxy.freeze();
  const started = Date.now();
  await listener.close();
  t.true(Date.now() - started < 2000, `close took ${Date.now() - started} ms`);
  t.false(listener.connected);
});

test.serial(
  'an attempt the server hangs up on before it listens is reported, then retried',
  async (t) => {
    // A peer that accepts every connection and closes it at once.
    const peer = net.createServer((socket) => socket.destroy());
    peer.listen(0, '127.0.0.1');
    await once(peer, 'listening');
    t.teardown(() => new Promise<void>((resolve) => peer.close(() => resolve())));
    const { port } = peer.address() as net.AddressInfo;
    const errors: string[] = [];
    const listener = listenForChanges(`postgres://nobody@127.0.0.1:${port}/nothing`, {
      onChange: () => {},
      onError: (error) => errors.push(error.message),
      retryDelayMs: 10,
    });
    t.teardown(() => listener.close());
    await waitFor(() => errors.length >= 2, 5000, 'two failed attempts');
    t.regex(errors[0] ?? '', /terminated/i);
    t.false(listener.connected);
  },
);
