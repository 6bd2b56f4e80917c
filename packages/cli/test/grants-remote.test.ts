import test from 'ava';
import { createUser, storeGrant } from './grants-fixtures.ts';
import { API } from './helpers.ts';
import { bothWays, remoteStack } from './remote-twins.ts';

// Every grants command run twice, locally (the database) and remotely (`--server`, through the
// admin API of a real `serve`), on twin users with twin grants: the outputs must be the same,
// usernames, ids and times aside. Listing asks for admin:users, revoking for admin:write.

let clientId = '';
const stack = remoteStack('admin:users admin:write', async () => {
  const client = await stack.local([
    ...['clients', 'create', '--name', 'notes-app', '--grant', 'client_credentials'],
    ...['--resource', API, '--scope', 'notes:read notes:write', '--json'],
  ]);
  clientId = (JSON.parse(client.stdout) as { client_id: string }).client_id;
});

/**
 * Makes twin users, `local-<what>` and `remote-<what>`, each with the same two grants to the
 * notes app (`<name>-older`, `<name>-newer`), and a third to another client (`<name>-other`).
 */
async function twins(what: string) {
  const made = [];
  const now = Math.floor(Date.now() / 1000);
  for (const mode of ['local', 'remote']) {
    const name = `${mode}-${what}`;
    const id = await createUser(stack.database, name);
    const grant = { accountId: id, clientId, resources: { [API]: 'notes:read' } };
    await storeGrant(stack.database, { ...grant, grantId: `${name}-older`, iat: now - 60 });
    await storeGrant(stack.database, {
      ...grant,
      grantId: `${name}-newer`,
      resources: { [API]: 'notes:read notes:write' },
      openid: 'openid profile',
      iat: now,
    });
    await storeGrant(stack.database, {
      ...grant,
      grantId: `${name}-other`,
      clientId: 'gone-client',
      iat: now - 120,
    });
    made.push({ name, id });
  }
  return made as [{ name: string; id: string }, { name: string; id: string }];
}

// Each case: the commands' arguments for a twin's username, run one after the other.
const CASES: Array<[string, Array<(name: string) => string[]>]> = [
  ['list', [(name) => ['grants', 'list', '--user', name]]],
  ['list --json', [(name) => ['grants', 'list', '--user', name, '--json']]],
  [
    'revoke a grant',
    [(name) => ['grants', 'revoke', `${name}-older`], (name) => ['grants', 'list', '--user', name]],
  ],
  [
    'revoke --json',
    [
      (name) => ['grants', 'revoke', `${name}-newer`, '--json'],
      (name) => ['grants', 'list', '--user', name, '--json'],
    ],
  ],
  [
    'revoke a user’s grants',
    [(name) => ['grants', 'revoke', '--user', name], (name) => ['grants', 'list', '--user', name]],
  ],
  [
    'revoke a user’s grants to one client',
    [
      (name) => ['grants', 'revoke', '--user', name, '--client', clientId, '--json'],
      (name) => ['grants', 'list', '--user', name, '--json'],
    ],
  ],
  ['revoke, no such grant', [(name) => ['grants', 'revoke', `${name}-none`]]],
  ['revoke, no such user', [(name) => ['grants', 'revoke', '--user', `${name}-none`]]],
  ['revoke, nothing given', [() => ['grants', 'revoke']]],
  ['revoke, --client alone', [() => ['grants', 'revoke', 'x', '--client', 'y']]],
];
for (const [what, steps] of CASES) {
  test(`grants ${what}: the same output locally and through the admin API`, async (t) => {
    const pair = await twins(what.replace(/\W+/g, '-'));
    for (const args of steps) {
      const [here, there] = await bothWays(stack, pair, args);
      t.deepEqual(there, here, args('<name>').join(' '));
      t.not(here.stdout + here.stderr, '');
    }
  });
}

test('grants list of no such user: the same in both modes', async (t) => {
  const args = ['grants', 'list', '--user', 'nobody'];
  t.deepEqual(await stack.remote(args), await stack.local(args));
});
