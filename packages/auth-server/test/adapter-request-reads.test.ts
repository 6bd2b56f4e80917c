import { createArtifactsRepository, createClientsRepository } from '@portcullis/storage';
import { createTestDatabase, statementsOf, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import type Koa from 'koa';
import { createAdapterClass } from '../src/provider/adapter.ts';
import {
  batchArtifactWrites,
  deferAudit,
  withArtifactReads,
} from '../src/provider/artifact-reads.ts';
import { requestContextMiddleware } from '../src/provider/request-context.ts';
import { createClientRegistry } from '../src/registry/client-registry.ts';

let database: TestDatabase;
let Adapter: ReturnType<typeof createAdapterClass>;
test.before(async () => {
  database = await createTestDatabase();
  Adapter = createAdapterClass({
    artifacts: createArtifactsRepository(database.db),
    clients: createClientRegistry({ clients: createClientsRepository(database.db) }),
  });
});
test.after.always(async () => {
  await database?.drop();
});

/** Every statement `work` makes. */
const statements = (work: () => Promise<void>) => statementsOf(database.db, work);

/** The SELECTs `work` makes on oidc_artifacts. */
async function selects(work: () => Promise<void>): Promise<number> {
  const seen = await statements(work);
  return seen.filter((sql) => sql.startsWith('select') && sql.includes('oidc_artifacts')).length;
}

test.serial(
  'a request reads a session once; its copy is its own; a write is read back',
  async (t) => {
    const sessions = new Adapter('Session');
    await sessions.upsert(
      's-1',
      { accountId: 'alice', authorizations: { app: { sid: 'x' } } },
      600,
    );
    const count = await selects(() =>
      withArtifactReads(async () => {
        const first = (await sessions.find('s-1')) as { authorizations: Record<string, unknown> };
        // What oidc-provider changes in what it was given is not what the next read gets.
        first.authorizations.other = { sid: 'y' };
        const second = await sessions.find('s-1');
        t.deepEqual(second, {
          accountId: 'alice',
          authorizations: { app: { sid: 'x' } },
          jti: 's-1',
        });
        await sessions.upsert('s-1', { accountId: 'alice', authorizations: {} }, 600);
        t.deepEqual(await sessions.find('s-1'), {
          accountId: 'alice',
          authorizations: {},
          jti: 's-1',
        });
        await sessions.destroy('s-1');
        t.is(await sessions.find('s-1'), undefined);
      }),
    );
    // The first read, the read after the write, the read after the destruction.
    t.is(count, 3);
  },
);

test.serial('another request reads the database again', async (t) => {
  const interactions = new Adapter('Interaction');
  await interactions.upsert('i-1', { step: 1 }, 600);
  t.deepEqual(await withArtifactReads(() => interactions.find('i-1')), { step: 1, jti: 'i-1' });
  // Written by another request (or another replica) in between.
  await interactions.upsert('i-1', { step: 2 }, 600);
  t.deepEqual(await withArtifactReads(() => interactions.find('i-1')), { step: 2, jti: 'i-1' });
  // Outside any request nothing is kept either.
  t.is(await selects(async () => void (await interactions.find('i-1'))), 1);
});

test.serial('a single-use artifact is read from the database every time', async (t) => {
  const codes = new Adapter('AuthorizationCode');
  await codes.upsert('c-1', { grantId: 'g-1' }, 60);
  const count = await selects(() =>
    withArtifactReads(async () => {
      t.is((await codes.find('c-1'))?.consumed, undefined);
      await codes.consume('c-1');
      t.truthy((await codes.find('c-1'))?.consumed);
    }),
  );
  t.is(count, 2);
});

test.serial('a request reads a session by uid once, and again after it writes it', async (t) => {
  const sessions = new Adapter('Session');
  await sessions.upsert('s-2', { uid: 'u-2', accountId: 'alice' }, 600);
  const count = await selects(() =>
    withArtifactReads(async () => {
      const first = (await sessions.findByUid('u-2')) as Record<string, unknown>;
      first.accountId = 'mallory';
      t.like(await sessions.findByUid('u-2'), { uid: 'u-2', accountId: 'alice' });
      // The session written (by its id): what was read by uid is read again.
      await sessions.upsert('s-2', { uid: 'u-2', accountId: 'bob' }, 600);
      t.like(await sessions.findByUid('u-2'), { accountId: 'bob' });
      await sessions.destroy('s-2');
      t.is(await sessions.findByUid('u-2'), undefined);
    }),
  );
  // The first read, the read after the write, the read after the destruction.
  t.is(count, 3);
  // Another request reads the database.
  await sessions.upsert('s-2', { uid: 'u-2', accountId: 'carol' }, 600);
  t.like(await withArtifactReads(() => sessions.findByUid('u-2')), { accountId: 'carol' });
});

/** `work` as oidc-provider's `route` would run it: in a request that can hold writes back. */
const inProviderRoute = (work: () => Promise<void>, route?: string): Promise<void> =>
  withArtifactReads<void>(
    () =>
      requestContextMiddleware()(
        (route ? { oidc: { route } } : {}) as unknown as Koa.Context,
        async () => void (await work()),
      ),
    {
      flush: (writes, companions) =>
        createArtifactsRepository(database.db).write(writes, companions),
    },
  );

test.serial(
  "in oidc-provider's routes an interaction destroyed goes with the next write, read as gone until then",
  async (t) => {
    const interactions = new Adapter('Interaction');
    const codes = new Adapter('AuthorizationCode');
    await interactions.upsert('i-2', { step: 1 }, 600);
    const seen = await statements(() =>
      inProviderRoute(async () => {
        t.like(await interactions.find('i-2'), { step: 1 });
        await interactions.destroy('i-2');
        t.is(await interactions.find('i-2'), undefined);
        t.true(deferAudit({ type: 'consent.granted', actor: 'user:deferred', subject: 'x' }));
        await codes.upsert('c-2', { grantId: 'g-2' }, 60);
      }),
    );
    // The read, then the code's write with the deletion and the audit event.
    t.is(seen.length, 2);
    t.regex(
      seen[1] ?? '',
      /^with "destroyed" as \(delete .*"audited" as \(insert into "audit_events"/,
    );
    t.is(await interactions.find('i-2'), undefined);
    t.truthy(await codes.find('c-2'));
    t.truthy(await database.db('audit_events').where({ actor: 'user:deferred' }).first());
  },
);

test.serial(
  'a deletion no write came for is done when the route ends; before a read by uid; not outside a route',
  async (t) => {
    const interactions = new Adapter('Interaction');
    await interactions.upsert('i-3', { uid: 'i-3' }, 600);
    await interactions.upsert('i-4', { uid: 'i-4' }, 600);
    await interactions.upsert('i-5', { uid: 'i-5' }, 600);
    await inProviderRoute(async () => {
      await interactions.destroy('i-3');
    });
    t.is(await interactions.find('i-3'), undefined);
    await inProviderRoute(async () => {
      await interactions.destroy('i-4');
      t.is(await interactions.findByUid('i-4'), undefined);
      t.is(
        (await database.db('oidc_artifacts').where({ model: 'Interaction', id: 'i-4' })).length,
        0,
      );
    });
    // Our own pages (no oidc-provider route) delete at once.
    await withArtifactReads(async () => {
      await interactions.destroy('i-5');
      t.is(
        (await database.db('oidc_artifacts').where({ model: 'Interaction', id: 'i-5' })).length,
        0,
      );
    });
  },
);

test.serial(
  "oidc-provider's resume writes once, before it answers: the code, the session rotated, the interaction deleted",
  async (t) => {
    const interactions = new Adapter('Interaction');
    const sessions = new Adapter('Session');
    const codes = new Adapter('AuthorizationCode');
    await interactions.upsert('i-6', { step: 1 }, 600);
    await sessions.upsert('s-6', { uid: 'u-6', accountId: 'alice' }, 600);
    const seen = await statements(() =>
      inProviderRoute(async () => {
        t.like(await sessions.find('s-6'), { accountId: 'alice' });
        await interactions.destroy('i-6');
        await codes.upsert('c-6', { grantId: 'g-6' }, 60);
        // The session under a new id, the same uid (oidc-provider's rotation at sign-in).
        await sessions.destroy('s-6');
        t.is(await sessions.find('s-6'), undefined);
        await sessions.upsert('s-7', { uid: 'u-6', accountId: 'alice', n: 1 }, 600);
        await sessions.upsert('s-7', { uid: 'u-6', accountId: 'alice', n: 2 }, 600);
        // Nothing written yet: it waits for the end of the route.
        t.is(
          (await database.db('oidc_artifacts').where({ model: 'Session', id: 's-7' })).length,
          0,
        );
      }, 'resume'),
    );
    // The session's read, this test's own look, then everything else in one statement.
    t.is(seen.length, 3);
    t.regex(seen[2] ?? '', /^with "destroyed" as \(delete .*is distinct from/);
    t.is(await interactions.find('i-6'), undefined);
    t.is(await sessions.find('s-6'), undefined);
    t.like(await sessions.find('s-7'), { n: 2 });
    t.like(await sessions.findByUid('u-6'), { n: 2 });
    t.truthy(await codes.find('c-6'));
    // A read of what waits writes it first.
    const again = await statements(() =>
      inProviderRoute(async () => {
        await sessions.upsert('s-7', { uid: 'u-6', accountId: 'alice', n: 3 }, 600);
        t.like(await sessions.find('s-7'), { n: 3 });
      }, 'resume'),
    );
    t.is(again.length, 2);
  },
);

test.serial('a batch of writes on our own pages goes in one statement when it ends', async (t) => {
  const grants = new Adapter('Grant');
  const interactions = new Adapter('Interaction');
  const seen = await statements(() =>
    inProviderRoute(async () => {
      await batchArtifactWrites(async () => {
        await grants.upsert('g-8', { accountId: 'alice', clientId: 'app' }, 600);
        t.true(deferAudit({ type: 'consent.granted', actor: 'user:batched', subject: 'x' }));
        await interactions.upsert('i-8', { result: { consent: { grantId: 'g-8' } } }, 600);
      });
      // Written when the batch ended, before the page answers.
      t.like(await grants.find('g-8'), { accountId: 'alice' });
    }),
  );
  t.is(seen.filter((sql) => !sql.startsWith('select')).length, 1);
  t.truthy(await interactions.find('i-8'));
  t.truthy(await database.db('audit_events').where({ actor: 'user:batched' }).first());
  // Outside a request: written at once.
  await batchArtifactWrites(() => grants.upsert('g-9', { accountId: 'bob' }, 600));
  t.like(await grants.find('g-9'), { accountId: 'bob' });
});

test.serial(
  'at the token endpoint a code is read with its session and grant: one statement for the three',
  async (t) => {
    const codes = new Adapter('AuthorizationCode');
    const sessions = new Adapter('Session');
    const grants = new Adapter('Grant');
    await sessions.upsert('s-10', { uid: 'u-10', accountId: 'alice' }, 600);
    await grants.upsert('g-10', { accountId: 'alice', clientId: 'app' }, 600);
    await codes.upsert('c-10', { sessionUid: 'u-10', grantId: 'g-10', accountId: 'alice' }, 60);
    await codes.upsert('c-11', { sessionUid: 'u-gone', grantId: 'g-gone' }, 60);
    const seen = await statements(() =>
      inProviderRoute(async () => {
        t.like(await codes.find('c-10'), { grantId: 'g-10' });
        t.like(await sessions.findByUid('u-10'), { uid: 'u-10', accountId: 'alice' });
        t.like(await grants.find('g-10'), { clientId: 'app' });
        // What the code names and is not there is read as gone, without a statement.
        t.like(await codes.find('c-11'), { grantId: 'g-gone' });
        t.is(await sessions.findByUid('u-gone'), undefined);
        t.is(await grants.find('g-gone'), undefined);
      }, 'token'),
    );
    t.is(seen.length, 2);
    // Elsewhere a code is read alone.
    const elsewhere = await statements(() =>
      inProviderRoute(async () => {
        await codes.find('c-10');
        await grants.find('g-10');
      }, 'authorization'),
    );
    t.is(elsewhere.length, 2);
  },
);
