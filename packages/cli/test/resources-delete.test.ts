import { createHash } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { run } from '../src/index.ts';
import { cli, cliJson } from './helpers.ts';

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
});
test.after.always(async () => {
  await database?.drop();
});

let next = 0;
async function resource(): Promise<string> {
  next += 1;
  const identifier = `https://delete-${next}.example`;
  await cliJson(database, [
    'resources',
    'create',
    '--identifier',
    identifier,
    '--name',
    `Delete ${next}`,
    '--scope',
    'x=X',
  ]);
  return identifier;
}

async function clientOf(identifier: string, name: string): Promise<string> {
  const { client_id } = await cliJson<{ client_id: string }>(database, [
    'clients',
    'create',
    '--name',
    name,
    '--grant',
    'client_credentials',
    '--resource',
    identifier,
    '--scope',
    'x',
  ]);
  return client_id;
}

const exists = async (identifier: string) =>
  (await database.db('resources').where({ identifier }).first()) !== undefined;

// Runs the CLI with a terminal on stdin that answers `answer`.
async function onTerminal(args: string[], answer: string) {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(String(chunk));
        done();
      },
    });
  const running = run(args, {
    env: { DATABASE_URL: database.url },
    stdin,
    stdout: sink((text) => {
      stdout += text;
    }),
    stderr: sink((text) => {
      stderr += text;
      if (text.includes('[y/N]')) stdin.write(`${answer}\n`);
    }),
  });
  return { code: await running, stdout, stderr };
}

test.serial(
  'without clients, --yes deletes the resource and its scopes, with an audit event',
  async (t) => {
    const identifier = await resource();
    const deleted = await cliJson(database, ['resources', 'delete', identifier, '--yes']);
    t.deepEqual(deleted, {
      deleted: identifier,
      name: `Delete ${next}`,
      detached_clients: [],
      revoked_tokens: 0,
    });
    t.false(await exists(identifier));
    t.is(
      (await database.db('resource_scopes').where({ resource_identifier: identifier })).length,
      0,
    );
    const event = await database
      .db('audit_events')
      .where({ type: 'resource.deleted' })
      .whereRaw(`details->>'resource' = ?`, [identifier])
      .first();
    t.like(event, { details: { resource: identifier, forced: false } });
  },
);

test.serial(
  'refuses while a client is allowed the resource, naming it; --force takes it off',
  async (t) => {
    const identifier = await resource();
    const clientId = await clientOf(identifier, `uses-${next}`);
    const refused = await cli(database, ['resources', 'delete', identifier, '--yes']);
    t.is(refused.code, 1);
    t.regex(refused.stderr, /1 client\(s\) are allowed this resource \(uses-\d+\).*--force/);
    t.is(refused.stderr.trim().split('\n').length, 1);
    t.true(await exists(identifier));

    const forced = await cliJson(database, ['resources', 'delete', identifier, '--yes', '--force']);
    t.deepEqual(forced.detached_clients, [clientId]);
    t.false(await exists(identifier));
    const client = await cliJson<{ resources: string[] }>(database, ['clients', 'show', clientId]);
    t.deepEqual(client.resources, []);
  },
);

test.serial('stored opaque tokens for the resource are deleted with it', async (t) => {
  const identifier = await resource();
  await clientOf(identifier, `issuer-${next}`);
  const issued = await cliJson<{ access_token: string }>(database, [
    'tokens',
    'issue',
    '--client',
    `issuer-${next}`,
    '--scope',
    'x',
    '--resource',
    identifier,
  ]);
  const deleted = await cliJson(database, ['resources', 'delete', identifier, '--yes', '--force']);
  t.is(deleted.revoked_tokens, 1);
  t.is(
    await database
      .db('oidc_artifacts')
      // Stored under the SHA-256 of its value (migration 0009).
      .where({
        model: 'AccessToken',
        id: createHash('sha256').update(issued.access_token).digest('base64url'),
      })
      .first(),
    undefined,
  );
});

test.serial('without a terminal and without --yes: exit 2, nothing deleted', async (t) => {
  const identifier = await resource();
  const result = await cli(database, ['resources', 'delete', identifier]);
  t.is(result.code, 2);
  t.regex(result.stderr, /pass --yes/);
  t.true(await exists(identifier));
});

test.serial('on a terminal it asks: y deletes, anything else keeps it', async (t) => {
  const identifier = await resource();
  const kept = await onTerminal(['resources', 'delete', identifier], 'n');
  t.is(kept.code, 1);
  t.regex(kept.stderr, /Delete resource "Delete \d+" \(https:\/\/delete-\d+\.example\)/);
  t.regex(kept.stderr, /not confirmed/);
  t.true(await exists(identifier));

  const deleted = await onTerminal(['resources', 'delete', identifier], 'y');
  t.is(deleted.code, 0);
  t.regex(deleted.stdout, /deleted resource/);
  t.false(await exists(identifier));
});

test.serial('an unknown resource: exit 1', async (t) => {
  const result = await cli(database, ['resources', 'delete', 'https://none.example', '--yes']);
  t.is(result.code, 1);
  t.is(result.stderr, 'portcullis: no resource "https://none.example"\n');
});

test.serial('--help has an example', async (t) => {
  const result = await cli(database, ['resources', 'delete', '--help']);
  t.regex(result.stdout, /Examples:\n {2}\$ portcullis resources delete/);
});
