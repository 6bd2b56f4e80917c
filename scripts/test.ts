// Runs the test suite against DATABASE_URL, or, when it is unset, against an embedded PostgreSQL
// started for the run, so the suite passes on a machine with nothing but Node.js.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { resolveDatabase } from '../packages/storage/src/index.ts';

const dataDir = path.resolve(process.env.PORTCULLIS_TEST_DATA_DIR ?? '.portcullis/test');
const database = await resolveDatabase({
  databaseUrl: process.env.DATABASE_URL,
  dataDir,
  log: (line) => console.error(line),
});
if (!process.env.DATABASE_URL) console.error('tests use the embedded PostgreSQL in', dataDir);

const child = spawn('ava', process.argv.slice(2), {
  stdio: 'inherit',
  env: { ...process.env, DATABASE_URL: database.url },
});
const code = await new Promise<number>((resolve) => {
  child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
});
await database.stop();
process.exit(code);
