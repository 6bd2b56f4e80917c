import test from 'ava';
import { cliWith } from './helpers.ts';
import { remoteStack } from './remote-twins.ts';

// `doctor` run locally (this machine's environment: the server's own, and the database) and
// remotely (`--server`: the running server judges the configuration it runs with): the same
// report, but for the note that names the checks the admin API leaves out.

const stack = remoteStack('admin:read', async () => {
  // Something to find: a client whose access tokens live longer than the rules allow.
  const made = await stack.local([
    'clients',
    'create',
    '--name',
    'slow-worker',
    '--grant',
    'client_credentials',
    '--access-token-ttl',
    '1d',
  ]);
  if (made.code !== 0) throw new Error(made.stderr);
});

const local = (args: string[]) => cliWith(stack.database, args, { env: stack.serve.serveEnv });

const SKIPPED =
  'note: not checked through the admin API: backchannel-logout-unreachable, client-jwks-uri-unreachable (they request URLs clients registered, from the server); `portcullis doctor` where the database is runs them\n';

test('doctor, --json and --strict: the same report in both modes', async (t) => {
  for (const args of [['doctor'], ['doctor', '--json'], ['doctor', '--strict']]) {
    const here = await local(args);
    const there = await stack.remote(args);
    t.is(there.stdout, here.stdout, args.join(' '));
    t.is(there.code, here.code, args.join(' '));
    // Locally, a data folder holding `dev`'s secrets (where dev ran) adds a note of its own.
    const notes = here.stderr.replace(/^note: .* holds the development secrets .*\n/m, '');
    t.is(there.stderr, `${SKIPPED}${notes}`, args.join(' '));
  }
  const json = JSON.parse((await stack.remote(['doctor', '--json'])).stdout) as Array<{
    subject: { label?: string };
  }>;
  t.true(
    json.some((f) => f.subject.label === 'slow-worker'),
    'the client was judged',
  );
});

test('doctor --mode through the admin API: one line, exit 2', async (t) => {
  const result = await stack.remote(['doctor', '--mode', 'dev']);
  t.is(result.code, 2);
  t.is(result.stdout, '');
  t.is(
    result.stderr,
    'portcullis: --mode is not available with --server: the server judges the configuration it runs with\n',
  );
});
