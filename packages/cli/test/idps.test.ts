import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { type CliResult, cliWith, failsWithOneLine, showsHelpWithExample } from './helpers.ts';

const SECRET = `idp-secret-${randomBytes(12).toString('hex')}`;
const ISSUER = 'https://sso.acme.example';

let database: TestDatabase;
const env = { PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url') };
const outputs: CliResult[] = [];

test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

async function run(args: string[], stdin = ''): Promise<CliResult> {
  const result = await cliWith(database, args, { env, stdin });
  outputs.push(result);
  return result;
}

async function runJson<T = Record<string, unknown>>(args: string[], stdin = ''): Promise<T> {
  const result = await run([...args, '--json'], stdin);
  if (result.code !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as T;
}

test.serial(
  'create stores the secret encrypted, prints the provider without it, and audits',
  async (t) => {
    const created = await runJson<Record<string, unknown>>(
      [
        'idps',
        'create',
        '--name',
        'Acme SSO',
        '--issuer',
        ISSUER,
        '--client-id',
        'portcullis',
        '--client-secret-stdin',
      ],
      `${SECRET}\n`,
    );
    t.like(created, {
      name: 'Acme SSO',
      kind: 'oidc',
      issuer: ISSUER,
      client_id: 'portcullis',
      scope: 'openid email profile',
      jit: false,
      authorization_endpoint: null,
    });
    t.false(JSON.stringify(created).includes(SECRET));
    const [row] = await database.db('identity_providers').where({ id: created.id });
    t.regex(String(row?.client_secret_encrypted), /^v1\./);
    t.false(JSON.stringify(row).includes(SECRET));
    const [event] = await database.db('audit_events').where({ type: 'idp.created' });
    t.like(event?.details, { idp: created.id, name: 'Acme SSO', kind: 'oidc', jit: false });
    t.regex(String(event?.actor), /^cli:/);
  },
);

test.serial('a GitHub provider gets github.com and its scopes unless told otherwise', async (t) => {
  const created = await runJson<Record<string, unknown>>(
    'idps create --name GitHub --kind github --client-id Iv1.x --client-secret-stdin --jit'.split(
      ' ',
    ),
    `${SECRET}\n`,
  );
  t.like(created, {
    kind: 'github',
    issuer: null,
    authorization_endpoint: 'https://github.com/login/oauth/authorize',
    token_endpoint: 'https://github.com/login/oauth/access_token',
    api_url: 'https://api.github.com',
    scope: 'read:user user:email',
    jit: true,
  });
});

test.serial('list, show (by name in any case), update and its audit event', async (t) => {
  const list = await runJson<Array<{ name: string }>>(['idps', 'list']);
  t.deepEqual(
    list.map((idp) => idp.name),
    ['Acme SSO', 'GitHub'],
  );
  const table = await run(['idps', 'list']);
  t.regex(table.stdout, /Acme SSO .* oidc .* https:\/\/sso\.acme\.example .* linked only/);
  const shown = await runJson<Record<string, unknown>>(['idps', 'show', 'acme sso']);
  t.like(shown, { name: 'Acme SSO', links: 0 });
  const human = await run(['idps', 'show', 'Acme SSO']);
  t.regex(human.stdout, /new users: not created/);

  const updated = await runJson<Record<string, unknown>>(
    ['idps', 'update', 'Acme SSO', '--jit', '--scope', 'openid email', '--client-secret-stdin'],
    'a-new-secret\n',
  );
  t.like(updated, { jit: true, scope: 'openid email' });
  const event = (await database.db('audit_events').where({ type: 'idp.updated' }))[0];
  t.deepEqual((event?.details as { changed?: string[] } | undefined)?.changed?.sort(), [
    'clientSecret',
    'jit',
    'scope',
  ]);
  t.false(JSON.stringify(event).includes('a-new-secret'));
  t.like(await runJson(['idps', 'update', 'Acme SSO', '--no-jit']), { jit: false });
});

const refusals: Array<[string, string[], string, RegExp, number?]> = [
  [
    'no issuer for OpenID Connect',
    ['--name', 'X'],
    SECRET,
    /--issuer is required for an OpenID Connect provider/,
  ],
  [
    'an http issuer off loopback',
    ['--name', 'X', '--issuer', 'http://sso.example'],
    SECRET,
    /issuer "http:\/\/sso\.example" must use https/,
  ],
  [
    'an issuer with a query',
    ['--name', 'X', '--issuer', 'https://sso.example/?a=b'],
    SECRET,
    /must have no query or fragment/,
  ],
  [
    'GitHub endpoints on an OpenID Connect provider',
    ['--name', 'X', '--issuer', ISSUER, '--api-url', 'https://api.example'],
    SECRET,
    /--api-url is for GitHub providers only/,
  ],
  [
    'an issuer on a GitHub provider',
    ['--name', 'X', '--kind', 'github', '--issuer', ISSUER],
    SECRET,
    /--issuer is for OpenID Connect providers only/,
  ],
  [
    'a scope without openid',
    ['--name', 'X', '--issuer', ISSUER, '--scope', 'email'],
    SECRET,
    /--scope must include openid/,
  ],
  [
    'an unknown kind',
    ['--name', 'X', '--kind', 'saml', '--issuer', ISSUER],
    SECRET,
    /--kind must be oidc or github/,
  ],
  [
    'a taken name, in another case',
    ['--name', 'acme sso', '--issuer', ISSUER],
    SECRET,
    /an identity provider named "acme sso" already exists/,
  ],
  [
    'an empty secret on stdin',
    ['--name', 'X', '--issuer', ISSUER],
    '',
    /no client secret on stdin/,
  ],
  [
    'a secret as an argument',
    ['--name', 'X', '--issuer', ISSUER, '--client-secret=hunter2hunter2'],
    SECRET,
    /client secrets are never accepted as arguments/,
    2,
  ],
];
for (const [what, args, stdin, why, code] of refusals) {
  test.serial(`create refuses ${what}: one line, nothing written`, async (t) => {
    const before = await database.db('identity_providers').count({ n: '*' });
    const result = await run(
      ['idps', 'create', '--client-id', 'portcullis', '--client-secret-stdin', ...args],
      stdin ? `${stdin}\n` : '',
    );
    failsWithOneLine(t, result, why, code ?? 1);
    t.false(result.stderr.includes('hunter2'));
    t.deepEqual(await database.db('identity_providers').count({ n: '*' }), before);
  });
}

test.serial(
  'update and show refuse an unknown provider; update refuses an empty change',
  async (t) => {
    failsWithOneLine(
      t,
      await run(['idps', 'show', 'Nope']),
      /no identity provider with id or name "Nope"/,
    );
    failsWithOneLine(t, await run(['idps', 'update', 'Nope', '--jit']), /no identity provider/);
    failsWithOneLine(t, await run(['idps', 'update', 'Acme SSO']), /nothing to change/);
  },
);

test.serial('delete needs --yes, then removes the provider and audits', async (t) => {
  failsWithOneLine(
    t,
    await run(['idps', 'delete', 'GitHub']),
    /refusing to delete without --yes/,
    2,
  );
  t.like(await runJson(['idps', 'delete', 'GitHub', '--yes']), { name: 'GitHub' });
  t.is(await database.db('identity_providers').where({ name: 'GitHub' }).first(), undefined);
  const [event] = await database.db('audit_events').where({ type: 'idp.deleted' });
  t.like(event?.details, { name: 'GitHub', links_removed: 0 });
});

test.serial('every command has help with an example', async (t) => {
  for (const command of ['create', 'list', 'show', 'update', 'delete']) {
    await showsHelpWithExample(t, database, ['idps', command]);
  }
});

test.serial('no output ever contained a client secret', (t) => {
  t.true(outputs.length > 10);
  for (const output of outputs) {
    t.false(`${output.stdout}${output.stderr}`.includes(SECRET));
    t.false(`${output.stdout}${output.stderr}`.includes('a-new-secret'));
  }
});
