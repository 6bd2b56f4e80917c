import test from 'ava';
import { createArtifactsRepository } from '../src/index.ts';
import { createTestDatabase, statementsOf, type TestDatabase } from '../src/testing/index.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

const repo = () => createArtifactsRepository(database.db);

test('upsert then find returns the payload; upsert again replaces it', async (t) => {
  await repo().upsert('Session', 's1', { uid: 'u1', accountId: 'a' }, 60);
  t.deepEqual((await repo().find('Session', 's1'))?.payload, { uid: 'u1', accountId: 'a' });
  await repo().upsert('Session', 's1', { uid: 'u1', accountId: 'b' }, 60);
  t.deepEqual((await repo().find('Session', 's1'))?.payload, { uid: 'u1', accountId: 'b' });
  t.is(await repo().find('Grant', 's1'), undefined, 'models do not see each other');
});

test('indexed columns are filled from the payload', async (t) => {
  await repo().upsert('DeviceCode', 'd1', { grantId: 'g9', uid: 'u9', userCode: 'ABCD-EFGH' }, 60);
  const row = await database
    .db('oidc_artifacts')
    .where({ model: 'DeviceCode', id: 'd1' })
    .first('grant_id', 'uid', 'user_code', 'expires_at');
  t.is(row.grant_id, 'g9');
  t.is(row.uid, 'u9');
  t.is(row.user_code, 'ABCD-EFGH');
  t.true(row.expires_at instanceof Date);
});

test('expired rows are never returned by any finder', async (t) => {
  await repo().upsert('DeviceCode', 'old', { uid: 'old-uid', userCode: 'OLD-CODE' }, 60);
  await database
    .db('oidc_artifacts')
    .where({ model: 'DeviceCode', id: 'old' })
    .update({ expires_at: database.db.raw(`now() - interval '1 second'`) });
  t.is(await repo().find('DeviceCode', 'old'), undefined);
  t.is(await repo().findByUid('DeviceCode', 'old-uid'), undefined);
  t.is(await repo().findByUserCode('DeviceCode', 'OLD-CODE'), undefined);
  t.false(await repo().consume('DeviceCode', 'old'));
});

test('an artifact without expiry lives until destroyed', async (t) => {
  await repo().upsert('Client', 'static', { client_id: 'static' }, undefined);
  t.truthy(await repo().find('Client', 'static'));
  await repo().destroy('Client', 'static');
  t.is(await repo().find('Client', 'static'), undefined);
});

test('findByUid and findByUserCode', async (t) => {
  await repo().upsert('Interaction', 'i1', { uid: 'uid-1' }, 60);
  await repo().upsert('DeviceCode', 'd2', { userCode: 'WXYZ-1234' }, 60);
  t.deepEqual((await repo().findByUid('Interaction', 'uid-1'))?.payload, { uid: 'uid-1' });
  t.deepEqual((await repo().findByUserCode('DeviceCode', 'WXYZ-1234'))?.payload, {
    userCode: 'WXYZ-1234',
  });
  t.is(await repo().findByUid('Interaction', 'nope'), undefined);
  t.is(await repo().findByUserCode('DeviceCode', 'nope'), undefined);
});

test('consume marks the artifact once and find reports when', async (t) => {
  await repo().upsert('AuthorizationCode', 'c1', { grantId: 'g1' }, 60);
  t.is((await repo().find('AuthorizationCode', 'c1'))?.consumedAt, undefined);
  t.true(await repo().consume('AuthorizationCode', 'c1'));
  t.false(await repo().consume('AuthorizationCode', 'c1'));
  t.false(await repo().consume('AuthorizationCode', 'missing'));
  const consumedAt = (await repo().find('AuthorizationCode', 'c1'))?.consumedAt;
  t.is(typeof consumedAt, 'number');
  t.true(Math.abs((consumedAt as number) - Date.now() / 1000) < 120);
});

test('of 20 concurrent consumers of one artifact exactly one wins', async (t) => {
  await repo().upsert('AuthorizationCode', 'race', { grantId: 'g-race' }, 60);
  const results = await Promise.all(
    Array.from({ length: 20 }, () => repo().consume('AuthorizationCode', 'race')),
  );
  t.is(results.filter(Boolean).length, 1);
});

test('revokeByGrantId deletes every artifact of the grant and nothing else', async (t) => {
  await repo().upsert('AuthorizationCode', 'gc', { grantId: 'grant-x' }, 60);
  await repo().upsert('RefreshToken', 'gr', { grantId: 'grant-x' }, 60);
  await repo().upsert('RefreshToken', 'other', { grantId: 'grant-y' }, 60);
  t.is(await repo().revokeByGrantId('grant-x'), 2);
  t.is(await repo().find('AuthorizationCode', 'gc'), undefined);
  t.is(await repo().find('RefreshToken', 'gr'), undefined);
  t.truthy(await repo().find('RefreshToken', 'other'));
});

test.serial(
  'a write carries deletions and audit events in its one statement; writeCompanions alone',
  async (t) => {
    await repo().upsert('Interaction', 'old-1', { uid: 'old-1' }, 60);
    await repo().upsert('Interaction', 'old-2', { uid: 'old-2' }, 60);
    const statements: string[] = [];
    const onQuery = (query: { sql: string }) => statements.push(query.sql);
    database.db.on('query', onQuery);
    try {
      await repo().write(
        {
          model: 'AuthorizationCode',
          id: 'code-1',
          payload: { grantId: 'g' },
          expiresInSeconds: 60,
        },
        {
          destroy: [{ model: 'Interaction', id: 'old-1' }],
          audits: [{ type: 'signin.succeeded', actor: 'user:u', subject: 'u', details: { n: 1 } }],
        },
      );
      await repo().writeCompanions({
        destroy: [{ model: 'Interaction', id: 'old-2' }],
        audits: [
          { type: 'consent.granted', actor: 'user:u', subject: 'u' },
          { type: 'consent.granted', actor: 'user:v', subject: 'v' },
        ],
      });
    } finally {
      database.db.off('query', onQuery);
    }
    t.is(statements.length, 2);
    t.truthy(await repo().find('AuthorizationCode', 'code-1'));
    t.is(await repo().find('Interaction', 'old-1'), undefined);
    t.is(await repo().find('Interaction', 'old-2'), undefined);
    const audited = await database.db('audit_events').whereIn('subject', ['u', 'v']).orderBy('id');
    t.deepEqual(
      audited.map((row) => [row.type, row.actor, row.details]),
      [
        ['signin.succeeded', 'user:u', { n: 1 }],
        ['consent.granted', 'user:u', {}],
        ['consent.granted', 'user:v', {}],
      ],
    );
  },
);

test('a write that fails writes none of what it carries', async (t) => {
  await repo().upsert('Interaction', 'kept', { uid: 'kept' }, 60);
  await repo().upsert('Session', 'taken', { uid: 'same-uid' }, 60);
  // Another session with the same uid breaks the unique index: nothing of the statement stays.
  await t.throwsAsync(
    repo().write(
      { model: 'Session', id: 'other', payload: { uid: 'same-uid' }, expiresInSeconds: 60 },
      {
        destroy: [{ model: 'Interaction', id: 'kept' }],
        audits: [{ type: 'signin.succeeded', actor: 'user:w', subject: 'w' }],
      },
    ),
  );
  t.truthy(await repo().find('Interaction', 'kept'));
  t.is(await database.db('audit_events').where({ subject: 'w' }).first(), undefined);
});

test.serial(
  'several artifacts in one statement; a session rotated takes over the row of its uid',
  async (t) => {
    await repo().upsert('Session', 'session-old', { uid: 'session-uid', n: 1 }, 600);
    await repo().upsert('Interaction', 'step-1', { uid: 'step-1' }, 60);
    const { length: count } = await statementsOf(database.db, async () => {
      await repo().write(
        [
          { model: 'AuthorizationCode', id: 'code-2', payload: {}, expiresInSeconds: 60 },
          {
            model: 'Session',
            id: 'session-new',
            payload: { uid: 'session-uid', n: 2 },
            expiresInSeconds: 600,
            takesOverUid: true,
          },
        ],
        {
          destroy: [
            { model: 'Interaction', id: 'step-1' },
            { model: 'Session', id: 'session-old' },
          ],
          audits: [],
        },
      );
    });
    t.is(count, 1);
    t.truthy(await repo().find('AuthorizationCode', 'code-2'));
    t.is(await repo().find('Interaction', 'step-1'), undefined);
    t.is(await repo().find('Session', 'session-old'), undefined);
    t.like(await repo().find('Session', 'session-new'), { payload: { n: 2 } });
    t.like(await repo().findByUid('Session', 'session-uid'), { payload: { n: 2 } });
    t.is((await database.db('oidc_artifacts').where({ uid: 'session-uid' })).length, 1);
    // A session taking over a uid no row has is inserted; nothing is written without a write.
    await repo().write({
      model: 'Session',
      id: 'session-3',
      payload: { uid: 'uid-3' },
      expiresInSeconds: 600,
      takesOverUid: true,
    });
    t.truthy(await repo().find('Session', 'session-3'));
    await repo().write([]);
  },
);

test.serial('a code read with the session and the grant it names, in one statement', async (t) => {
  await repo().upsert('Session', 'session-9', { uid: 'uid-9', accountId: 'a' }, 600);
  await repo().upsert('Grant', 'grant-9', { accountId: 'a' }, 600);
  await repo().upsert(
    'AuthorizationCode',
    'code-9',
    { sessionUid: 'uid-9', grantId: 'grant-9' },
    60,
  );
  await repo().upsert('AuthorizationCode', 'code-10', { sessionUid: 'gone', grantId: 'gone' }, 60);
  await repo().upsert('AuthorizationCode', 'code-11', {}, 60);
  let found: Awaited<ReturnType<ReturnType<typeof repo>['findWithSessionAndGrant']>>;
  const sql = await statementsOf(database.db, async () => {
    found = await repo().findWithSessionAndGrant('AuthorizationCode', 'code-9');
  });
  t.is(sql.length, 1);
  t.like(found, {
    artifact: { payload: { grantId: 'grant-9' } },
    session: { payload: { uid: 'uid-9', accountId: 'a' } },
    grant: { payload: { accountId: 'a' } },
  });
  // Named but not there: null; not named: undefined; no code: undefined.
  t.like(await repo().findWithSessionAndGrant('AuthorizationCode', 'code-10'), {
    session: null,
    grant: null,
  });
  const bare = await repo().findWithSessionAndGrant('AuthorizationCode', 'code-11');
  t.is(bare?.session, undefined);
  t.is(bare?.grant, undefined);
  t.is(await repo().findWithSessionAndGrant('AuthorizationCode', 'nothing'), undefined);
  // A consumed code says so.
  await repo().consume('AuthorizationCode', 'code-9');
  t.truthy(
    (await repo().findWithSessionAndGrant('AuthorizationCode', 'code-9'))?.artifact.consumedAt,
  );
});

test("extend moves a live artifact's expiry and keeps its payload; nothing for an expired one", async (t) => {
  await repo().upsert('AdminConsoleSession', 'e1', { sealed: 'first' }, 60);
  const expiry = () =>
    database
      .db('oidc_artifacts')
      .where({ model: 'AdminConsoleSession', id: 'e1' })
      .first(database.db.raw('extract(epoch from expires_at - now()) as left'));
  t.true(await repo().extend('AdminConsoleSession', 'e1', 3600));
  const left = Number((await expiry()).left);
  t.true(left > 3000 && left <= 3600, String(left));
  t.deepEqual((await repo().find('AdminConsoleSession', 'e1'))?.payload, { sealed: 'first' });
  await database
    .db('oidc_artifacts')
    .where({ model: 'AdminConsoleSession', id: 'e1' })
    .update({ expires_at: database.db.raw(`now() - interval '1 second'`) });
  t.false(await repo().extend('AdminConsoleSession', 'e1', 3600), 'expired: not revived');
  t.is(await repo().find('AdminConsoleSession', 'e1'), undefined);
  t.false(await repo().extend('AdminConsoleSession', 'none', 60));
});
