// `pnpm pack:all <folder>`: builds (scripts/build.ts), then packs every published package with
// `pnpm pack` into <folder> and prints the tarballs' paths, one a line. pnpm applies each
// package's `publishConfig` (exports, bin and types pointing at dist/) and turns `workspace:*`
// into the exact version, so the tarballs install together with plain npm:
//   npm install <folder>/*.tgz
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { publishedPackages, root } from './published-packages.ts';

const [target, ...rest] = process.argv.slice(2);
if (!target || rest.length > 0) {
  console.error('usage: pnpm pack:all <folder>');
  process.exit(2);
}
const destination = path.resolve(process.env.INIT_CWD ?? process.cwd(), target);
await mkdir(destination, { recursive: true });

// The build's own output (tsc's errors among it) goes to stderr: stdout is the tarballs' list.
run(process.execPath, [path.join(root, 'scripts/build.ts')], root, 2);
for (const { dir } of await publishedPackages()) {
  const packed = run('pnpm', ['pack', '--json', '--pack-destination', destination], dir);
  console.log((JSON.parse(packed) as { filename: string }).filename);
}

function run(command: string, args: string[], cwd: string, stdout: 'pipe' | 2 = 'pipe'): string {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', stdout, 'inherit'],
  });
  if (result.status !== 0) {
    console.error(`pack:all: ${command} ${args.join(' ')} failed in ${path.relative(root, cwd)}`);
    process.exit(1);
  }
  return result.stdout;
}
