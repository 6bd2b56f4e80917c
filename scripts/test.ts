// `pnpm test`: runs the whole suite (ava) against DATABASE_URL, or, when it is unset, against an
// embedded PostgreSQL started for the run, so the suite passes on a machine with nothing but
// Node.js. Each test file then creates a database of its own on that server.
// `pnpm test:slow` (--slow) runs the *.slow.test.ts files instead, which `pnpm test` leaves out
// (load, database faults, replicas), with scripts/ava.slow.config.js.
// With CI=true it uses ava's TAP reporter and ends with a line "N passed, N failed"; with
// TEST_TOTALS_FILE set too, it adds its counts to that file instead, for .ci/run to print one
// line for the fast and the slow suite together.
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { resolveDatabase } from '../packages/storage/src/index.ts';

const dataDir = path.resolve(process.env.PORTCULLIS_TEST_DATA_DIR ?? '.portcullis/test');
const database = await resolveDatabase({
  databaseUrl: process.env.DATABASE_URL,
  dataDir,
  log: (line) => console.error(line),
});
if (!process.env.DATABASE_URL) console.error(`tests use the embedded PostgreSQL in ${dataDir}`);

const ci = process.env.CI === 'true' || process.env.CI === '1';
const slow = process.argv.includes('--slow');
const args = [
  ...(ci ? ['--tap'] : []),
  ...(slow ? ['--config', 'scripts/ava.slow.config.js'] : []),
  ...process.argv.slice(2).filter((arg) => arg !== '--slow'),
];
const child = spawn('ava', args, {
  stdio: ['ignore', ci ? 'pipe' : 'inherit', 'inherit'],
  env: { ...process.env, DATABASE_URL: database.url },
});
let tap = '';
child.stdout?.on('data', (chunk: Buffer) => {
  tap += chunk.toString('utf8');
  process.stdout.write(chunk);
});
const code = await new Promise<number>((resolve) => {
  child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
});
await database.stop();
if (ci) {
  const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
  const passed = count('pass');
  const failed = count('fail');
  const totals = process.env.TEST_TOTALS_FILE;
  if (totals) {
    const [before = 0, beforeFailed = 0] = (await readFile(totals, 'utf8').catch(() => ''))
      .split(' ')
      .map(Number);
    await writeFile(totals, `${before + passed} ${beforeFailed + failed}\n`);
  } else {
    console.log(`\n${passed} passed, ${failed} failed`);
  }
  if (code === 0 && passed === 0) process.exit(1);
}
process.exit(code);
