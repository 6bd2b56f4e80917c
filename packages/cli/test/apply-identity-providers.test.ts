import { randomBytes } from 'node:crypto';
import { createIdentityProvidersService, parseKeyEncryptionKey } from '@portcullis/auth-server';
import { createAuditRepository } from '@portcullis/storage';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { cliWith } from './helpers.ts';

// Identity providers in `portcullis apply` files (issue 13, item 5): created, unchanged when
// applied again, a new secret from the environment stored (never from the file), plans, prune
// and problems with their lines.

const KEK = randomBytes(32).toString('base64url');
let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

interface ApplyJson {
  applied: boolean;
  changed: boolean;
  identity_providers: Array<{
    name: string;
    action: string;
    changes: Array<{ field: string; before: unknown; after: unknown }>;
  }>;
}

const FILE = `
identity_providers:
  - name: Acme SSO
    issuer: https://sso.acme.example
    client_id: portcullis
    client_secret_env: ACME_SSO_SECRET
    jit: true
  - name: GitHub
    kind: github
    client_id: Iv1.0123456789abcdef
    client_secret_env: GITHUB_SECRET
`;

const apply = (text: string, env: Record<string, string>, ...flags: string[]) =>
  cliWith(database, ['apply', '-f', '-', '--json', ...flags], {
    env: { PORTCULLIS_KEY_ENCRYPTION_KEY: KEK, ...env },
    stdin: text,
  });
const applied = async (text: string, env: Record<string, string>, ...flags: string[]) => {
  const result = await apply(text, env, ...flags);
  if (result.code !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as ApplyJson;
};
const secrets = { ACME_SSO_SECRET: 'acme-secret-1', GITHUB_SECRET: 'github-secret-1' };
const service = () => createIdentityProvidersService(database.db, parseKeyEncryptionKey(KEK));
const secretOf = async (name: string) => {
  const found = (await service().list()).find((p) => p.name === name);
  return found ? (await service().upstream(found.id))?.clientSecret : undefined;
};

test.serial('a plan writes nothing; apply creates; again, nothing changes', async (t) => {
  const plan = await applied(FILE, secrets, '--plan');
  t.false(plan.applied);
  t.deepEqual(
    plan.identity_providers.map((p) => [p.name, p.action]),
    [
      ['Acme SSO', 'create'],
      ['GitHub', 'create'],
    ],
  );
  t.deepEqual(await service().list(), []);

  const done = await applied(FILE, secrets);
  t.true(done.changed);
  const acme = done.identity_providers[0];
  t.like(
    acme?.changes.find((c) => c.field === 'client_secret'),
    {
      before: null,
      after: '(from ACME_SSO_SECRET)',
    },
  );
  t.like(
    acme?.changes.find((c) => c.field === 'jit'),
    { after: true },
  );
  t.like(
    done.identity_providers[1]?.changes.find((c) => c.field === 'api_url'),
    {
      after: 'https://api.github.com',
    },
  );
  t.is(await secretOf('Acme SSO'), 'acme-secret-1');
  t.is(await secretOf('GitHub'), 'github-secret-1');
  const stored = JSON.stringify(await database.db('identity_providers').select());
  t.false(stored.includes('acme-secret-1'), 'stored only encrypted');
  t.is((await createAuditRepository(database.db).list({ type: 'idp.created' })).length, 2);

  const again = await applied(FILE, secrets);
  t.false(again.changed);
  t.deepEqual(
    again.identity_providers.map((p) => p.action),
    ['unchanged', 'unchanged'],
  );
});

test.serial(
  'a new secret in the environment, and a changed field, update the provider',
  async (t) => {
    const done = await applied(FILE.replace('jit: true', 'jit: false'), {
      ...secrets,
      ACME_SSO_SECRET: 'acme-secret-2',
    });
    t.deepEqual(done.identity_providers[0]?.changes, [
      { field: 'jit', before: true, after: false },
      { field: 'client_secret', before: '(hidden)', after: '(from ACME_SSO_SECRET)' },
    ]);
    t.is(done.identity_providers[1]?.action, 'unchanged');
    t.is(await secretOf('Acme SSO'), 'acme-secret-2');
    const [updated] = await createAuditRepository(database.db).list({ type: 'idp.updated' });
    t.deepEqual([...((updated?.details.changed ?? []) as string[])].sort(), [
      'clientSecret',
      'jit',
    ]);
    t.false(JSON.stringify(updated?.details).includes('acme-secret-2'));
  },
);

test.serial('problems: a secret in the file, a variable not set, nothing applied', async (t) => {
  const inFile = await apply(
    FILE.replace('client_secret_env: ACME_SSO_SECRET', 'client_secret: hunter2'),
    secrets,
  );
  t.is(inFile.code, 1);
  t.regex(
    inFile.stderr,
    /stdin:\d+: identity_providers\[0\]\.client_secret: a secret is never written in the file/,
  );
  t.regex(inFile.stderr, /identity_providers\[0\]: needs client_secret_env/);

  const unset = await apply(FILE.replace('Acme SSO', 'Other SSO'), {
    GITHUB_SECRET: 'github-secret-1',
  });
  t.is(unset.code, 1);
  t.regex(
    unset.stderr,
    /identity_providers\[0\]\.client_secret_env: the environment variable ACME_SSO_SECRET is not set/,
  );
  t.is((await service().list()).length, 2, 'nothing applied');

  const noKey = await cliWith(database, ['apply', '-f', '-'], {
    env: { ...secrets, PORTCULLIS_DATA_DIR: '/nonexistent-portcullis-data' },
    stdin: FILE,
  });
  t.is(noKey.code, 1);
  t.regex(noKey.stderr, /set PORTCULLIS_KEY_ENCRYPTION_KEY/);
});

test.serial('a provider not in the file is reported, and deleted with --prune', async (t) => {
  const onlyGithub = FILE.slice(FILE.indexOf('  - name: GitHub'));
  const kept = await applied(`identity_providers:\n${onlyGithub}`, secrets);
  t.like(
    kept.identity_providers.find((p) => p.name === 'Acme SSO'),
    { action: 'not_in_file' },
  );
  const pruned = await applied(`identity_providers:\n${onlyGithub}`, secrets, '--prune', '--yes');
  t.like(
    pruned.identity_providers.find((p) => p.name === 'Acme SSO'),
    { action: 'delete' },
  );
  t.deepEqual(
    (await service().list()).map((p) => p.name),
    ['GitHub'],
  );
});
