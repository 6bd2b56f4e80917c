import { createHash } from 'node:crypto';
import { chmod, lstat, readlink, realpath, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { enterableFolder, firstClosedFolder, type PostgresUser } from './postgres-user.ts';

/**
 * Where root's embedded clusters go when the data folder is out of the `postgres` user's reach
 * (a checkout in a mode-0700 home): a system folder anyone may enter but not list, one folder
 * per data folder inside it, each cluster readable by `postgres` only.
 */
export const SYSTEM_DIR = '/var/lib/portcullis';

/** The cluster folder (PGDATA) of a data folder, and whether it lives elsewhere. */
export interface ClusterLocation {
  pgDir: string;
  /** True when the cluster lives under the system folder, linked from `<data folder>/pg`. */
  relocated: boolean;
}

/**
 * Finds (or chooses, on first use) the cluster folder for the data folder `root`:
 * - not root, or root with a data folder the `postgres` user can reach: `<root>/pg`, as always;
 * - root with a data folder in a private home: `<systemDir>/clusters/<digest of root>/pg`,
 *   with `<root>/pg` a symbolic link to it, so the next run (and `db remove-embedded`) finds it
 *   again even if the checkout was moved.
 */
export async function clusterLocation(
  root: string,
  user: PostgresUser | undefined,
  systemDir: string = SYSTEM_DIR,
): Promise<ClusterLocation> {
  const link = path.join(root, 'pg');
  const existing = await lstat(link).catch(() => undefined);
  if (existing?.isSymbolicLink()) {
    return { pgDir: path.resolve(root, await readlink(link)), relocated: true };
  }
  if (!user) return { pgDir: link, relocated: false };
  if (existing || (await firstClosedFolder(path.dirname(root), user)) === undefined) {
    // Traversal only (not listing) for the postgres user, down to its cluster.
    await chmod(root, 0o711);
    return { pgDir: link, relocated: false };
  }

  const digest = createHash('sha256')
    .update(await realpath(root))
    .digest('hex')
    .slice(0, 16);
  const home = path.join(systemDir, 'clusters', digest);
  for (const dir of [systemDir, path.join(systemDir, 'clusters'), home]) {
    await enterableFolder(dir);
  }
  await writeFile(
    path.join(home, 'data-folder'),
    `${root}\n# the Portcullis data folder whose embedded PostgreSQL this is; remove both with:\n# PORTCULLIS_DATA_DIR=${root} portcullis db remove-embedded\n`,
    { mode: 0o644 },
  );
  const pgDir = path.join(home, 'pg');
  await symlink(pgDir, link);
  return { pgDir, relocated: true };
}
