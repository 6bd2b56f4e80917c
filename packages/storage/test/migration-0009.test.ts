import { createHash } from 'node:crypto';
import test from 'ava';
import { createArtifactsRepository, migrateLatest } from '../src/index.ts';
import { down } from '../src/migrations/0009-hashed-artifact-ids.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

// Rows written before 0009, then the migration run (again) over them: the migrations table is the
// only thing that says it ran.
async function migrateOver(rows: Array<{ model: string; id: string; payload: object }>) {
  await database.db('portcullis_migrations').where({ name: '0009-hashed-artifact-ids' }).delete();
  const artifacts = createArtifactsRepository(database.db);
  for (const { model, id, payload } of rows) await artifacts.upsert(model, id, { ...payload }, 600);
  return migrateLatest(database.db);
}

test.serial(
  're-keys every artifact but grants by the SHA-256 of its id, as Node computes it, and drops jti',
  async (t) => {
    // Values whose digests hold the characters base64 and base64url differ on, and padding.
    const values = ['a', 'refresh-token-1', 'x'.repeat(43), 'ü-ünïcode', '?>?>?>'];
    const applied = await migrateOver([
      ...values.map((id) => ({ model: 'RefreshToken', id, payload: { jti: id, grantId: 'g-1' } })),
      { model: 'Session', id: 's-1', payload: { jti: 's-1', uid: 'uid-1', accountId: 'alice' } },
      { model: 'Grant', id: 'g-1', payload: { jti: 'g-1', accountId: 'alice', clientId: 'app' } },
    ]);
    t.deepEqual(applied, ['0009-hashed-artifact-ids']);
    const rows = await database
      .db('oidc_artifacts')
      .select('model', 'id', 'payload', 'uid', 'grant_id');
    const ids = rows
      .filter((r) => r.model === 'RefreshToken')
      .map((r) => r.id)
      .sort();
    t.deepEqual(ids, values.map(digest).sort());
    for (const row of rows.filter((r) => r.model !== 'Grant'))
      t.false('jti' in row.payload, row.model);
    t.like(
      rows.find((r) => r.model === 'Session'),
      { id: digest('s-1'), uid: 'uid-1', payload: { uid: 'uid-1', accountId: 'alice' } },
    );
    t.like(
      rows.find((r) => r.model === 'Grant'),
      { id: 'g-1', payload: { jti: 'g-1' } },
      'a grant id is no secret: kept',
    );
    t.true(rows.filter((r) => r.model === 'RefreshToken').every((r) => r.grant_id === 'g-1'));
  },
);

test.serial('deletes interactions and device codes in progress', async (t) => {
  await database.db('oidc_artifacts').delete();
  await migrateOver([
    { model: 'Interaction', id: 'i-1', payload: { jti: 'i-1', session: { cookie: 's-1' } } },
    { model: 'DeviceCode', id: 'd-1', payload: { jti: 'd-1', userCode: 'BCDFGHJK' } },
    { model: 'AccessToken', id: 'a-1', payload: { jti: 'a-1' } },
  ]);
  t.deepEqual(await database.db('oidc_artifacts').pluck('id'), [digest('a-1')]);
});

test('down refuses: a digest cannot be turned back into the value', async (t) => {
  const error = await t.throwsAsync(down());
  t.regex(error?.message ?? '', /cannot be undone/);
});
