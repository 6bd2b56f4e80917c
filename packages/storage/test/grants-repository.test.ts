import test from 'ava';
import { createArtifactsRepository, createGrantsRepository } from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

const grant = (id: string, accountId: string, clientId: string, iat: number, ttl = 60) =>
  createArtifactsRepository(database.db).upsert(
    'Grant',
    id,
    { accountId, clientId, iat, openid: { scope: 'openid' } },
    ttl,
  );

test("findLatestFor: the account's newest live grant to the client, none for others", async (t) => {
  const grants = createGrantsRepository(database.db);
  await grant('older', 'erin', 'app', 1000);
  await grant('newer', 'erin', 'app', 2000);
  await grant('other-app', 'erin', 'another-app', 3000);
  await grant('other-user', 'frank', 'app', 4000);
  await grant('expired', 'erin', 'app', 5000);
  await database
    .db('oidc_artifacts')
    .where({ model: 'Grant', id: 'expired' })
    .update({ expires_at: database.db.raw(`now() - interval '1 second'`) });

  t.is((await grants.findLatestFor('erin', 'app'))?.grantId, 'newer');
  t.is((await grants.findLatestFor('frank', 'app'))?.grantId, 'other-user');
  t.is(await grants.findLatestFor('erin', 'unknown-app'), undefined);

  await grants.revoke('newer');
  t.is((await grants.findLatestFor('erin', 'app'))?.grantId, 'older', 'a revoked grant is gone');
});
