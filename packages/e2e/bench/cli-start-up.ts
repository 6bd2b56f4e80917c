// The CLI's start-up: wall time of `portcullis --help` and of `portcullis clients list` (against
// the benchmark's migrated database), each run as an operator runs it, through
// node_modules/.bin/portcullis, in a fresh process. Timing belongs here, never in a test: the
// tests (packages/cli/test/start-up.test.ts) assert which packages each command line loads.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '@portcullis/storage/testing';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(root, 'node_modules/.bin/portcullis');

/** The targets on a quiet 2-core machine, in milliseconds. */
const TARGETS = { '--help': 300, 'clients list': 800 } as const;

export interface StartUpFigures {
  command: keyof typeof TARGETS;
  /** Median wall time of the runs, in milliseconds. */
  medianMs: number;
  minMs: number;
  targetMs: number;
  runs: number;
}

function once(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  const child = spawn(bin, args, { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0
        ? resolve(performance.now() - started)
        : reject(new Error(`portcullis ${args.join(' ')} exited with ${code}: ${stderr.trim()}`)),
    ),
  );
}

/**
 * Runs each command `runs` times (after one unmeasured run, which fills the file cache) and
 * reports the median and the fastest run against its target. `clients list` runs on a migrated
 * database of its own, made next to `env.DATABASE_URL` and dropped after.
 *
 * @example
 * const figures = await measureCliStartUp({ ...process.env, DATABASE_URL: url }, 11);
 */
export async function measureCliStartUp(
  env: NodeJS.ProcessEnv,
  runs: number,
): Promise<StartUpFigures[]> {
  process.env.DATABASE_URL = env.DATABASE_URL;
  const database = await createTestDatabase();
  try {
    return await measure({ ...env, DATABASE_URL: database.url }, runs);
  } finally {
    await database.drop();
  }
}

async function measure(env: NodeJS.ProcessEnv, runs: number): Promise<StartUpFigures[]> {
  const figures: StartUpFigures[] = [];
  for (const command of Object.keys(TARGETS) as (keyof typeof TARGETS)[]) {
    const args = command.split(' ');
    await once(args, env);
    const times: number[] = [];
    for (let i = 0; i < runs; i += 1) times.push(await once(args, env));
    times.sort((a, b) => a - b);
    figures.push({
      command,
      medianMs: times[Math.floor(times.length / 2)] ?? Number.NaN,
      minMs: times[0] ?? Number.NaN,
      targetMs: TARGETS[command],
      runs,
    });
  }
  return figures;
}
