import { execFile } from 'node:child_process';
import { chmod, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The operating-system account the embedded PostgreSQL runs as when we are root. */
export interface PostgresUser {
  uid: number;
  gid: number;
}

const NAME = 'postgres';

/**
 * PostgreSQL refuses to run as root, so as root the embedded server runs as the `postgres`
 * system user, created here (a system account, no home, no shell) when the machine has none.
 * Returns undefined when we are not root: the server then runs as ourselves.
 */
export async function postgresUser(): Promise<PostgresUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const found = await lookUp();
  if (found) return found;
  try {
    await run('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      NAME,
    ]);
  } catch (error) {
    // Another process may have created it at the same moment (useradd exits 9).
    const again = await lookUp();
    if (again) return again;
    throw new Error(
      `the embedded PostgreSQL cannot run as root and there is no ${NAME} user to run it as (useradd failed: ${firstLine(error)}): create one with \`useradd --system --user-group ${NAME}\` or set DATABASE_URL`,
    );
  }
  const created = await lookUp();
  if (!created) throw new Error(`useradd created no ${NAME} user`);
  return created;
}

async function lookUp(): Promise<PostgresUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([
      run('id', ['-u', NAME]).then(({ stdout }) => Number.parseInt(stdout, 10)),
      run('id', ['-g', NAME]).then(({ stdout }) => Number.parseInt(stdout, 10)),
    ]);
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The first folder on the way to `target` (itself included) that `user` may not enter, or
 * undefined when every folder lets it through. Reads permission bits (not ACLs): a folder an ACL
 * opens counts as closed, which only moves data that could have stayed.
 */
export async function firstClosedFolder(
  target: string,
  user: PostgresUser,
): Promise<string | undefined> {
  const folders: string[] = [];
  for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
    folders.unshift(dir);
    if (dir === path.dirname(dir)) break;
  }
  for (const dir of folders) {
    const { mode, uid, gid } = await stat(dir);
    const bit = uid === user.uid ? 0o100 : gid === user.gid ? 0o010 : 0o001;
    if ((mode & bit) === 0) return dir;
  }
  return undefined;
}

function firstLine(error: unknown): string {
  const text = (error as { stderr?: string }).stderr || String(error);
  return text.trim().split('\n')[0] ?? 'failed';
}

/**
 * Creates `dir` (and missing parents) as a folder the `postgres` user may enter but not list
 * (mode 0711), or makes an existing one so.
 */
export async function enterableFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o711 });
  await chmod(dir, 0o711);
}
