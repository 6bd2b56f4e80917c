import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { cliOnTerminal, exampleResourceDatabase, temporaryFolder } from './clients-fixtures.ts';
import { type CliResult, cli, cliJson } from './helpers.ts';
import { NO_DATABASE, remoteServe } from './remote-fixtures.ts';

// `apply` run locally (on one database) and remotely (`--server`, through the admin API of a
// real `serve` on a twin database made the same way), the same steps in the same order: the
// outputs must be the same, ids and secrets aside. Serial: each step builds on the one before.

const exampleFile = fileURLToPath(
  new URL('../../../infra/portcullis.example.yaml', import.meta.url),
);
const serve = remoteServe('admin:read admin:write');
const local = exampleResourceDatabase(async () => {
  // The twin of the remote database's admin client, so that both hold the same clients.
  await cliJson(local, [
    'admin',
    'create-client',
    'remote-cli',
    '--scope',
    'admin:read admin:write',
  ]);
});
const remote = exampleResourceDatabase(() => serve.start(remote));
const temp = temporaryFolder('portcullis-apply-remote-');

/** What may differ between the twins: client ids, new secrets, times. */
function normalised(result: CliResult): CliResult {
  const clean = (text: string) =>
    text
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>')
      .replace(/(?<![\w-])[\w-]{43}(?![\w-])/g, '<secret>')
      .replace(/\b[\w-]{22}\b/g, '<id>');
  return { code: result.code, stdout: clean(result.stdout), stderr: clean(result.stderr) };
}

/** Runs `apply ...args` in both modes, each on its own twin, and compares the outputs. */
async function bothWays(t: ExecutionContext, args: string[], typed?: string) {
  const line = ['apply', ...args];
  const here =
    typed === undefined ? await cli(local, line) : await cliOnTerminal(local, line, typed);
  const there =
    typed === undefined
      ? await serve.cli(line)
      : await cliOnTerminal(
          NO_DATABASE,
          ['--server', serve.server.href, ...line],
          typed,
          serve.env,
        );
  t.deepEqual(normalised(there), normalised(here), args.join(' '));
  return here;
}

const file = async (name: string, text: string) => {
  await writeFile(temp.file(name), text);
  return temp.file(name);
};

test.serial('apply --plan, apply, again, an update --json: the same in both modes', async (t) => {
  const plan = await bothWays(t, ['-f', exampleFile, '--plan']);
  t.regex(plan.stdout, /^plan: 4 to create, 1 to update, 0 unchanged, 2 not in the file;/m);
  const applied = await bothWays(t, ['-f', exampleFile]);
  t.regex(applied.stdout, /^new client secrets, shown only now/m);
  const again = await bothWays(t, ['-f', exampleFile]);
  t.regex(again.stdout, /^no changes: the registration already matches/m);
  const example = await readFile(exampleFile, 'utf8');
  const edited = await file(
    'edited.yaml',
    example.replace('access_token_ttl: 2m', 'access_token_ttl: 3m'),
  );
  const update = await bothWays(t, ['-f', edited, '--json']);
  t.is(JSON.parse(update.stdout).summary.update, 1);
});

test.serial(
  "a file's problems, found by the parser or against the database: the same lines",
  async (t) => {
    const problems = await file(
      'problems.yaml',
      `clients:
  - name: broken
    grants: [client_credentials, password]
    resources: [https://nowhere.example.com]
  - name: other
    grants: [authorization_code]
    redirect_uris: [http://app.example.com/cb]
`,
    );
    const parsed = await bothWays(t, ['-f', problems]);
    t.is(parsed.code, 1);
    t.regex(parsed.stderr, /problems\.yaml:3: clients\[0\]\.grants\[1\]: unknown grant "password"/);
    t.regex(parsed.stderr, /^portcullis: nothing was applied: 2 problems in .*problems\.yaml$/m);
    // Found against the database (by the server, remotely): the same path and line.
    const unknown = await file(
      'unknown.yaml',
      `clients:
  - name: lost
    grants: [client_credentials]
    resources:
      - http://localhost:4000
      - https://nowhere.example.com
`,
    );
    const found = await bothWays(t, ['-f', unknown]);
    t.regex(found.stderr, /unknown\.yaml:6: clients\[0\]\.resources\[1\]: unknown resource/);
    const list = await bothWays(t, ['-f', await file('list.yaml', '- a\n- b\n')]);
    t.is(list.code, 1);
  },
);

test.serial(
  'apply --prune: the plan, a "no" on the terminal, then --yes: the same in both modes',
  async (t) => {
    const smaller = await file(
      'smaller.yaml',
      (await readFile(exampleFile, 'utf8')).replace(/\n {2}# A command-line tool[\s\S]*$/, '\n'),
    );
    const plan = await bothWays(t, ['-f', smaller, '--prune', '--plan']);
    t.regex(plan.stdout, /- notes-cli \(<id>\)|- notes-cli/);
    const no = await bothWays(t, ['-f', smaller, '--prune'], 'n\n');
    t.is(no.code, 1);
    t.regex(no.stderr, /nothing applied: the deletions were not confirmed/);
    // Last: the remote twin's admin client is not in the file, so this deletes it too.
    const yes = await bothWays(t, ['-f', smaller, '--prune', '--yes', '--json']);
    t.is(yes.code, 0, yes.stderr);
    t.true(JSON.parse(yes.stdout).summary.delete >= 2);
  },
);

test('identity providers through the admin API: one line, nothing applied', async (t) => {
  const providers = await file(
    'providers.yaml',
    `identity_providers:
  - name: Acme
    issuer: https://sso.acme.example.com
    client_id: portcullis
    client_secret_env: ACME_SECRET
`,
  );
  const result = await serve.cli(['apply', '-f', providers]);
  t.is(result.code, 1);
  t.is(result.stdout, '');
  t.regex(result.stderr, /^portcullis: identity_providers are not available with --server: .*\n$/);
});
