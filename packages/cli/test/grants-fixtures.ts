import { createArtifactsRepository } from '@portcullis/storage';
import type { TestDatabase } from '@portcullis/storage/testing';
import { cli } from './helpers.ts';

/** Registers `username` through the CLI and returns their id. */
export async function createUser(database: TestDatabase, username: string): Promise<string> {
  const created = await cli(
    database,
    ['users', 'create', '--username', username, '--password-stdin', '--json'],
    'correct horse battery staple\n',
  );
  if (created.code !== 0) throw new Error(created.stderr);
  return (JSON.parse(created.stdout) as { id: string }).id;
}

/**
 * Stores a grant as oidc-provider does after a user's consent (OpenID scopes and scopes per
 * resource), with an access token issued from it, as a sign-in would leave them.
 */
export async function storeGrant(
  database: TestDatabase,
  grant: {
    grantId: string;
    accountId: string;
    clientId: string;
    openid?: string;
    resources?: Record<string, string>;
    iat?: number;
    expiresIn?: number;
  },
): Promise<void> {
  const artifacts = createArtifactsRepository(database.db);
  const iat = grant.iat ?? Math.floor(Date.now() / 1000);
  await artifacts.upsert(
    'Grant',
    grant.grantId,
    {
      kind: 'Grant',
      jti: grant.grantId,
      accountId: grant.accountId,
      clientId: grant.clientId,
      openid: { scope: grant.openid ?? 'openid' },
      ...(grant.resources ? { resources: grant.resources } : {}),
      iat,
    },
    grant.expiresIn ?? 3600,
  );
  await artifacts.upsert(
    'AccessToken',
    `token-of-${grant.grantId}`,
    {
      kind: 'AccessToken',
      grantId: grant.grantId,
      accountId: grant.accountId,
      clientId: grant.clientId,
      iat,
    },
    600,
  );
}

/** Ids of the stored artifacts of `model`, sorted. */
export async function artifactIds(database: TestDatabase, model: string): Promise<string[]> {
  return database.db('oidc_artifacts').where({ model }).orderBy('id').pluck('id');
}
