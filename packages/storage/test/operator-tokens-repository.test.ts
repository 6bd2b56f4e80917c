import test from 'ava';
import {
  createArtifactsRepository,
  createAuditRepository,
  createOperatorTokensRepository,
} from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

// An access token as oidc-provider stores it (under its digest), with its grant.
async function token(grantId: string, iat: number, extra: Record<string, unknown> = {}) {
  const artifacts = createArtifactsRepository(database.db);
  await artifacts.upsert('Grant', grantId, { clientId: 'app', iat }, 3600);
  await artifacts.upsert(
    'AccessToken',
    `digest-of-${grantId}`,
    { gty: 'operator', grantId, clientId: 'app', scope: 'notes:read', aud: 'https://api', iat },
    3600,
  );
  if (Object.keys(extra).length > 0) {
    await database
      .db('oidc_artifacts')
      .where({ model: 'AccessToken', id: `digest-of-${grantId}` })
      .update({ payload: database.db.raw(`payload || ?::jsonb`, [JSON.stringify(extra)]) });
  }
}

test('live operator tokens, newest first, keyset paged, with their issuer; nothing else', async (t) => {
  await token('g-old', 1000);
  await token('g-b', 2000, { accountId: 'alice' });
  await token('g-a', 2000);
  await token('g-new', 3000);
  await token('g-expired', 4000);
  await database
    .db('oidc_artifacts')
    .where({ grant_id: 'g-expired' })
    .update({ expires_at: database.db.raw(`now() - interval '1 second'`) });
  // A token of the authorization code flow, opaque, stored too: not an operator's.
  await createArtifactsRepository(database.db).upsert(
    'AccessToken',
    'digest-of-a-user-token',
    { gty: 'authorization_code', grantId: 'g-user', clientId: 'app', iat: 5000 },
    3600,
  );
  await createAuditRepository(database.db).record({
    type: 'token.issued',
    actor: 'cli:ops',
    details: { grant_id: 'g-b' },
  });

  const tokens = createOperatorTokensRepository(database.db);
  const all = await tokens.listPage();
  t.deepEqual(
    all.map((row) => row.grantId),
    ['g-new', 'g-b', 'g-a', 'g-old'],
  );
  const b = all[1];
  t.like(b, {
    grantId: 'g-b',
    clientId: 'app',
    clientName: null,
    subject: 'alice',
    scope: 'notes:read',
    resource: 'https://api',
    issuedBy: 'cli:ops',
  });
  t.is(b?.issuedAt.getTime(), 2_000_000);
  t.is(all[0]?.issuedBy, null, 'no audit event left: unknown');
  t.false(JSON.stringify(all).includes('digest-of'), 'never the stored digest');

  const first = await tokens.listPage({ limit: 2 });
  t.deepEqual(
    first.map((row) => row.grantId),
    ['g-new', 'g-b'],
  );
  // A token issued meanwhile does not shift the next page.
  await token('g-newest', 6000);
  const next = await tokens.listPage({ after: ['2000', 'g-b'], limit: 2 });
  t.deepEqual(
    next.map((row) => row.grantId),
    ['g-a', 'g-old'],
  );
});
