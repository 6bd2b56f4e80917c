import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { API, type ClientJson, cli, cliJson, exampleResourceDatabase } from './clients-fixtures.ts';

// `--require-dpop` (DPoP-bound access tokens, RFC 9449) through create, update, show and apply.

const database = exampleResourceDatabase();
let dir: string;
test.before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'portcullis-require-dpop-'));
});
test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

type WithDpop = ClientJson & { dpop_bound_access_tokens: boolean; changed?: string[] };

test('create, update, clear and show the DPoP requirement', async (t) => {
  const service = (name: string, args: string[]) =>
    cliJson<WithDpop>(database, [
      'clients',
      'create',
      '--name',
      name,
      '--grant',
      'client_credentials',
      '--resource',
      API,
      ...args,
      '--json',
    ]);
  t.false((await service('plain', [])).dpop_bound_access_tokens);
  t.regex((await cli(database, ['clients', 'show', 'plain'])).stdout, /^DPoP required: +no$/m);

  t.true((await service('bound', ['--require-dpop'])).dpop_bound_access_tokens);
  t.regex((await cli(database, ['clients', 'show', 'bound'])).stdout, /^DPoP required: +yes$/m);

  const off = await cliJson<WithDpop>(database, [
    'clients',
    'update',
    'bound',
    '--no-require-dpop',
    '--json',
  ]);
  t.false(off.dpop_bound_access_tokens);
  t.deepEqual(off.changed, ['dpop_bound_access_tokens']);
  const on = await cliJson<WithDpop>(database, [
    'clients',
    'update',
    'plain',
    '--require-dpop',
    '--json',
  ]);
  t.true(on.dpop_bound_access_tokens);
  // Another change leaves it as it is.
  const renamed = await cliJson<WithDpop>(database, [
    'clients',
    'update',
    'plain',
    '--name',
    'plain renamed',
    '--json',
  ]);
  t.true(renamed.dpop_bound_access_tokens);
});

test('apply: the dpop_bound_access_tokens key sets and clears it', async (t) => {
  const declare = async (line: string) => {
    const file = path.join(dir, `dpop-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(
      file,
      `clients:
  - name: applied-service
    grants: [client_credentials]
${line}`,
    );
    return cli(database, ['apply', '-f', file]);
  };
  const show = () => cliJson<WithDpop>(database, ['clients', 'show', 'applied-service']);

  const created = await declare('    dpop_bound_access_tokens: true\n');
  t.is(created.code, 0, created.stderr);
  t.true((await show()).dpop_bound_access_tokens);

  const refused = await declare('    dpop_bound_access_tokens: yes please\n');
  t.is(refused.code, 1);
  t.regex(refused.stderr, /clients\[0\]\.dpop_bound_access_tokens/);

  const cleared = await declare('');
  t.is(cleared.code, 0, cleared.stderr);
  t.regex(cleared.stdout, /dpop_bound_access_tokens/);
  t.false((await show()).dpop_bound_access_tokens);
});
