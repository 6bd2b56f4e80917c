import test from 'ava';
import {
  auditOf,
  cli,
  clientRow,
  cliJson,
  cliOnTerminal,
  createService,
  exampleResourceDatabase,
  failsWithOneLine,
} from './clients-fixtures.ts';

const database = exampleResourceDatabase();

// Stored artifacts of a client: a grant, a refresh token from it, and an opaque access token.
async function issueArtifacts(clientId: string, tag: string) {
  await database.db('oidc_artifacts').insert(
    [
      ['Grant', `grant-${tag}`],
      ['RefreshToken', `rt-${tag}`],
      ['AccessToken', `at-${tag}`],
    ].map(([model, id]) => ({
      model,
      id,
      payload: JSON.stringify({ clientId, grantId: `grant-${tag}`, accountId: 'u1' }),
      grant_id: `grant-${tag}`,
    })),
  );
}
const artifactsOf = async (tag: string) =>
  (await database.db('oidc_artifacts').where('grant_id', `grant-${tag}`)).length;

test.serial(
  '--yes deletes the client, its secrets, grants and tokens, and nothing else',
  async (t) => {
    const doomed = await createService(database, 'doomed');
    const bystander = await createService(database, 'bystander');
    await issueArtifacts(doomed.client_id, 'doomed');
    await issueArtifacts(bystander.client_id, 'bystander');

    const deleted = await cliJson<{ deleted: string; name: string }>(database, [
      'clients',
      'delete',
      'Doomed',
      '--yes',
    ]);
    t.deepEqual(deleted, { deleted: doomed.client_id, name: 'doomed' });
    t.is(await clientRow(database, doomed.client_id), undefined);
    t.deepEqual(await database.db('client_secrets').where({ client_id: doomed.client_id }), []);
    t.is(await artifactsOf('doomed'), 0);
    t.is(await artifactsOf('bystander'), 3, "another client's grants stay");

    const [event] = (await auditOf(database, doomed.client_id)).filter(
      (e) => e.type === 'client.deleted',
    );
    t.deepEqual(event?.details, { name: 'doomed', revoked_artifacts: 3 });
    t.regex(event?.actor ?? '', /^cli:/);
  },
);

test.serial(
  'without a terminal and without --yes it refuses (exit 2) and deletes nothing',
  async (t) => {
    const kept = await createService(database, 'kept');
    failsWithOneLine(
      t,
      await cli(database, ['clients', 'delete', kept.client_id]),
      /refusing to delete without confirmation: stdin is not a terminal, pass --yes/,
      2,
    );
    t.truthy(await clientRow(database, kept.client_id));
  },
);

test.serial('on a terminal it asks, and only "y" or "yes" deletes', async (t) => {
  const asked = await createService(database, 'asked');
  for (const answer of ['n\n', '\n', 'yess\n', '']) {
    const refused = await cliOnTerminal(database, ['clients', 'delete', 'asked'], answer);
    t.is(refused.code, 1, JSON.stringify(answer));
    t.regex(
      refused.stderr,
      /^Delete client "asked" \(\S+\) with its secrets, grants and tokens\? \[y\/N\] portcullis: not deleted: not confirmed\n$/,
    );
    t.truthy(await clientRow(database, asked.client_id));
  }
  const confirmed = await cliOnTerminal(database, ['clients', 'delete', 'asked'], 'Yes\n');
  t.is(confirmed.code, 0, confirmed.stderr);
  t.regex(confirmed.stdout, /deleted client "asked"/);
  t.is(await clientRow(database, asked.client_id), undefined);
});

test.serial('an unknown client fails with one line; no argument is a usage error', async (t) => {
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'delete', 'nope', '--yes']),
    /no client with id or name "nope"/,
  );
  const onTerminal = await cliOnTerminal(database, ['clients', 'delete', 'nope'], 'y\n');
  t.is(onTerminal.code, 1);
  t.regex(onTerminal.stderr, /no client with id or name "nope"/);
  failsWithOneLine(
    t,
    await cli(database, ['clients', 'delete', '--yes']),
    /missing required argument/,
    2,
  );
  const help = await cli(database, ['clients', 'delete', '--help']);
  t.regex(help.stdout, /Examples:\n +\$ portcullis clients delete/);
  t.regex(help.stdout, /exit 1 when not confirmed, exit 2 when stdin is not a\s+terminal/);
});
