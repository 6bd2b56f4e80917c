import test from 'ava';
import type { Command } from 'commander';
import { createProgram } from '../src/program.ts';
import { cliWith, failsWithOneLine } from './helpers.ts';

// Nothing here reaches a database: usage errors and help are answered before any connection.
const nowhere = { url: 'postgres://postgres@127.0.0.1:1/none' };
const portcullis = (args: string[]) => cliWith(nowhere, args);

/** Every command that runs something (`clients create`, `doctor`), by its words. */
function leafCommands(command: Command, path: string[] = []): string[][] {
  if (command.commands.length === 0) return [path];
  return command.commands.flatMap((sub) => leafCommands(sub, [...path, sub.name()]));
}
const groups = (await createProgram({} as never)).commands.filter((c) => c.commands.length > 0);

test('portcullis --help shows the groups, the exit codes and where the guide is', async (t) => {
  const help = await portcullis(['--help']);
  t.is(help.code, 0);
  for (const group of [
    'db',
    'clients',
    'resources',
    'tokens',
    'users',
    'grants',
    'keys',
    'audit',
    'admin',
    'secrets',
  ]) {
    t.regex(help.stdout, new RegExp(`^  ${group} +\\S`, 'm'), group);
  }
  for (const command of ['apply', 'dev', 'doctor', 'example-api', 'serve']) {
    t.regex(help.stdout, new RegExp(`^  ${command}( \\[options\\])? +\\S`, 'm'), command);
  }
  t.regex(help.stdout, /Exit codes: 0 success, 1 the command failed .*, 2 usage error/);
  t.regex(help.stdout, /docs\/operators\.md/);
  t.regex(help.stdout, /Example:\n {2}\$ portcullis /);
});

test('each group lists its commands, with examples', async (t) => {
  t.deepEqual(
    groups.map((g) => g.name()),
    [
      'db',
      'clients',
      'resources',
      'tokens',
      'users',
      'roles',
      'idps',
      'grants',
      'keys',
      'audit',
      'admin',
      'secrets',
    ],
  );
  for (const group of groups) {
    const help = await portcullis([group.name(), '--help']);
    t.is(help.code, 0, group.name());
    for (const sub of group.commands) {
      t.regex(help.stdout, new RegExp(`^  ${sub.name()} [\\[<]?.* {2,}\\S`, 'm'), sub.name());
    }
    t.regex(help.stdout, new RegExp(`Examples:\\n {2}\\$ portcullis ${group.name()} \\S`));
  }
});

test('every command has --help with an example and offers --json', async (t) => {
  const commands = leafCommands(await createProgram({} as never));
  t.true(commands.length >= 37, String(commands.length));
  for (const command of commands) {
    const help = await portcullis([...command, '--help']);
    const name = command.join(' ');
    t.is(help.code, 0, name);
    t.regex(help.stdout, new RegExp(`Examples?:\\n {2}\\$ .*portcullis ${name}`), name);
    t.regex(help.stdout, /^ {2}--json /m, name);
  }
});

test('a group without a command shows its help on stderr: exit 2', async (t) => {
  const result = await portcullis(['clients']);
  t.is(result.code, 2);
  t.is(result.stdout, '');
  t.regex(result.stderr, /^Usage: portcullis clients \[options\] \[command\]/);
});

test('an unknown command is a usage error with a suggestion', async (t) => {
  failsWithOneLine(
    t,
    await portcullis(['clients', 'frobnicate']),
    /unknown command 'frobnicate'/,
    2,
  );
  failsWithOneLine(
    t,
    await portcullis(['clients', 'lst']),
    /^error: unknown command 'lst' \(did you mean list\?\)\n$/,
    2,
  );
  failsWithOneLine(t, await portcullis(['frobnicate']), /unknown command 'frobnicate'/, 2);
});

test('an unknown option is named, with the nearest one, before a missing required option', async (t) => {
  // `--name` is required by `clients create`: the typo must be reported, not the missing option.
  failsWithOneLine(
    t,
    await portcullis(['clients', 'create', '--nmae', 'billing', '--grant', 'client_credentials']),
    /^error: unknown option '--nmae' \(did you mean --name\?\)\n$/,
    2,
  );
  failsWithOneLine(
    t,
    await portcullis(['users', 'set-password', 'alice', '--pasword-stdin']),
    /^error: unknown option '--pasword-stdin' \(did you mean --password-stdin\?\)\n$/,
    2,
  );
  failsWithOneLine(
    t,
    await portcullis(['clients', 'list', '--jsn']),
    /^error: unknown option '--jsn' \(did you mean --json\?\)\n$/,
    2,
  );
  // Nothing near: the option alone. --help still wins over everything.
  failsWithOneLine(
    t,
    await portcullis(['db', 'status', '--frobnicate']),
    /^error: unknown option '--frobnicate'\n$/,
    2,
  );
  const help = await portcullis(['clients', 'create', '--nmae', 'x', '--help']);
  t.is(help.code, 0);
  t.regex(help.stdout, /^Usage: portcullis clients create/);
});

test('an unreachable database is one clear line and exit 1', async (t) => {
  const result = await portcullis(['clients', 'list']);
  failsWithOneLine(t, result, /^portcullis: cannot reach the database/);
});

test('PORTCULLIS_DEBUG=1 adds the stack trace of a failure', async (t) => {
  const result = await cliWith(nowhere, ['clients', 'list'], { env: { PORTCULLIS_DEBUG: '1' } });
  t.is(result.code, 1);
  t.regex(result.stderr, /^portcullis: cannot reach the database.*\n\S*Error/);
  t.regex(result.stderr, /\n +at /);
});
