// The packages users install from npm: every packages/* whose package.json is not private. Their
// `exports` point at src/*.ts in the workspace and, through `publishConfig`, at the built dist/
// in the packed tarball (see docs/packages.md).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** The repository's root folder. */
export const root = path.resolve(import.meta.dirname, '..');

/** A package that `pnpm build` builds and `pnpm pack:all` packs. */
export interface PublishedPackage {
  name: string;
  version: string;
  /** Its folder. */
  dir: string;
}

/** The published packages, in folder order. */
export async function publishedPackages(): Promise<PublishedPackage[]> {
  const found: PublishedPackage[] = [];
  for (const entry of (await readdir(path.join(root, 'packages'))).sort()) {
    const dir = path.join(root, 'packages', entry);
    const manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
    if (manifest.private !== true)
      found.push({ name: manifest.name, version: manifest.version, dir });
  }
  return found;
}
