// `pnpm build`: compiles every published package's src/ (tests left out) to JavaScript, `.d.ts`
// and source maps in its dist/, with each package's tsconfig.build.json (`.ts` imports rewritten
// to `.js`). Always from scratch, so a file deleted from src/ never lingers in dist/. The workspace
// itself never reads dist/: development and tests run src/*.ts directly.
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { publishedPackages, root } from './published-packages.ts';

const packages = await publishedPackages();
for (const { dir } of packages) {
  await rm(path.join(dir, 'dist'), { recursive: true, force: true });
  await rm(path.join(dir, 'node_modules/.cache/tsc/build.tsbuildinfo'), { force: true });
}
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
const configs = packages.map(({ dir }) => path.join(dir, 'tsconfig.build.json'));
const result = spawnSync(process.execPath, [tsc, '-b', ...configs], {
  cwd: root,
  stdio: 'inherit',
});
if (result.status !== 0) {
  console.error('build: tsc failed');
  process.exit(1);
}
console.error(`built ${packages.map(({ name }) => name).join(', ')}`);
