import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(root, 'packages/cli/src/bin.ts');

function runCli(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('serve refuses to start without its secrets: one line, exit 1', async (t) => {
  const result = await runCli(['serve'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
  t.is(result.code, 1);
  t.is(
    result.stderr.trim(),
    'portcullis: PORTCULLIS_COOKIE_KEYS and PORTCULLIS_KEY_ENCRYPTION_KEY must be set: `serve` never uses development secrets',
  );
});

test('serve refuses an http issuer off loopback', async (t) => {
  const result = await runCli(['serve'], {
    PORTCULLIS_ISSUER: 'http://auth.example.com',
    PORTCULLIS_COOKIE_KEYS: 'k'.repeat(40),
    PORTCULLIS_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64url'),
  });
  t.is(result.code, 1);
  t.regex(result.stderr, /^portcullis: PORTCULLIS_ISSUER must use https in production/);
});

test('an unknown command through the real binary: exit 2, no stack trace', async (t) => {
  const result = await runCli(['frobnicate'], {});
  t.is(result.code, 2);
  t.notRegex(result.stderr, /\n\s+at /);
});
