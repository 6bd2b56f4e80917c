import { Readable, Writable } from 'node:stream';
import tty from 'node:tty';
import { createTestDatabase, type TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import { paint, printTable, styled } from '../src/output.ts';
import { run } from '../src/program.ts';
import { cli } from './helpers.ts';

// What the terminal sees: ANSI SGR sequences (ESC [ n m).
const ESC = '\u001b[';
const BOLD = (text: string) => `${ESC}1m${text}${ESC}22m`;
const RED = (text: string) => `${ESC}31m${text}${ESC}39m`;
const YELLOW = (text: string) => `${ESC}33m${text}${ESC}39m`;

/** A stream that collects what is written; `terminal` makes it look like a TTY. */
function stream(terminal: boolean) {
  let text = '';
  const writable = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  }) as Writable & { isTTY?: boolean; getColorDepth?: () => number };
  if (terminal) {
    writable.isTTY = true;
    // As a real terminal decides: from TERM, NO_COLOR, FORCE_COLOR and the like.
    writable.getColorDepth = tty.WriteStream.prototype.getColorDepth;
  }
  return Object.assign(writable, { text: () => text });
}

/** Sets environment variables for `work` only (this file's worker has its own process.env). */
async function withEnv<T>(env: Record<string, string | undefined>, work: () => Promise<T> | T) {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(env);
  try {
    return await work();
  } finally {
    apply(saved);
  }
}

// A colour terminal, whatever the machine running the tests has set.
const TERMINAL = {
  TERM: 'xterm-256color',
  NO_COLOR: undefined,
  FORCE_COLOR: undefined,
  CI: undefined,
};

let database: TestDatabase;
test.before(async () => {
  database = await createTestDatabase();
  for (const username of ['alice', 'bob']) {
    await cli(
      database,
      ['users', 'create', '--username', username, '--password-stdin'],
      'correct horse battery\n',
    );
  }
  await cli(database, ['users', 'disable', 'bob']);
});
test.after.always(async () => {
  await database?.drop();
});

/** Runs the CLI with stdout and stderr as terminals or pipes. */
async function portcullis(args: string[], terminal: boolean) {
  const stdout = stream(terminal);
  const stderr = stream(terminal);
  const code = await run(args, {
    env: { DATABASE_URL: database.url },
    stdout,
    stderr,
    stdin: Readable.from(['']),
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

test.serial('paint colours for a terminal and leaves a pipe alone', async (t) => {
  await withEnv(TERMINAL, () => {
    t.is(paint(stream(true), 'bold', 'NAME'), BOLD('NAME'));
    t.is(paint(stream(true), 'red', 'disabled'), RED('disabled'));
    t.is(paint(stream(false), 'bold', 'NAME'), 'NAME');
    t.is(paint(stream(true), 'bold', ''), '', 'nothing to colour, no codes');
  });
});

test.serial(
  'NO_COLOR turns colour off on a terminal; FORCE_COLOR decides either way',
  async (t) => {
    await withEnv({ ...TERMINAL, NO_COLOR: '1' }, () => {
      t.is(paint(stream(true), 'bold', 'NAME'), 'NAME');
    });
    await withEnv({ ...TERMINAL, FORCE_COLOR: '0' }, () => {
      t.is(paint(stream(true), 'bold', 'NAME'), 'NAME');
    });
    await withEnv({ ...TERMINAL, FORCE_COLOR: '1' }, () => {
      t.is(paint(stream(false), 'bold', 'NAME'), BOLD('NAME'), 'forced even into a pipe');
    });
  },
);

test.serial(
  'a table on a terminal: bold header, styled cells, columns still aligned',
  async (t) => {
    await withEnv(TERMINAL, () => {
      const out = stream(true);
      printTable(
        { env: {}, stdout: out, stderr: out, stdin: Readable.from(['']) },
        ['NAME', 'STATUS', 'NOTE'],
        [
          ['alice', 'active', 'x'],
          ['bob', styled('disabled', 'red'), 'y'],
          ['carol', 'active', styled('', 'dim')],
        ],
      );
      t.is(
        out.text(),
        [
          BOLD('NAME   STATUS    NOTE'),
          '-----  --------  ----',
          'alice  active    x',
          `bob    ${RED('disabled')}  y`,
          'carol  active',
          '',
        ].join('\n'),
      );
    });
  },
);

test.serial('the CLI on a terminal: bold header and a red disabled state', async (t) => {
  await withEnv(TERMINAL, async () => {
    const result = await portcullis(['users', 'list'], true);
    t.is(result.code, 0, result.stderr);
    t.true(result.stdout.startsWith(`${ESC}1mUSERNAME `), result.stdout);
    t.regex(result.stdout, /\nalice +\S+ +- +active +\d{4}-/, 'a plain row stays plain');
    t.true(result.stdout.includes(RED('disabled')), result.stdout);
  });
});

test.serial('the CLI on a terminal: red error prefixes, yellow warnings', async (t) => {
  await withEnv(TERMINAL, async () => {
    const failed = await portcullis(['users', 'show', 'nobody'], true);
    t.is(failed.code, 1);
    t.is(failed.stderr, `${RED('portcullis:')} no user with id or username "nobody"\n`);
    t.is(failed.stdout, '');

    const usage = await portcullis(['users', 'list', '--all'], true);
    t.is(usage.code, 2);
    t.is(usage.stderr, `${RED('error:')} unknown option '--all'\n`);

    const cut = await portcullis(['audit', 'list', '--limit', '1'], true);
    t.is(cut.code, 0, cut.stderr);
    t.true(
      cut.stderr.startsWith(`${YELLOW('warning:')} showing only the latest 1 events`),
      cut.stderr,
    );
  });
});

test.serial('--json on a terminal is never coloured', async (t) => {
  await withEnv({ ...TERMINAL, FORCE_COLOR: '3' }, async () => {
    for (const args of [
      ['users', 'list', '--json'],
      ['users', 'show', 'bob', '--json'],
      ['audit', 'list', '--json'],
      ['db', 'status', '--json'],
    ]) {
      const result = await portcullis(args, true);
      t.is(result.code, 0, result.stderr);
      t.false(result.stdout.includes(ESC), args.join(' '));
      t.notThrows(() => JSON.parse(result.stdout));
    }
  });
});

test.serial('a pipe gets no escape codes at all', async (t) => {
  await withEnv(TERMINAL, async () => {
    for (const args of [
      ['users', 'list'],
      ['users', 'show', 'nobody'],
      ['users', 'list', '--all'],
      ['audit', 'list', '--limit', '1'],
      ['--help'],
    ]) {
      const result = await portcullis(args, false);
      t.false(result.stdout.includes(ESC) || result.stderr.includes(ESC), args.join(' '));
    }
    const table = await portcullis(['users', 'list'], false);
    t.regex(table.stdout, /^USERNAME +ID +EMAIL +STATUS +CREATED\n/);
    t.regex(table.stdout, /\nbob +\S+ +- +disabled +\d{4}-/);
  });
});
