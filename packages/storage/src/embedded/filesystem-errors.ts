const EXPLAINED: Record<string, string> = {
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is not a folder',
};

/**
 * Runs `work`, turning a file-system failure (a read-only or full file system, a folder we may
 * not write) into one line that names the path, instead of Node's `EROFS: ..., mkdir '...'`.
 * PostgreSQL's own reports of a full disk (from initdb or the server) say which file they
 * could not write, and are kept as they are.
 */
export async function explainFilesystemErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const { code, path } = error as NodeJS.ErrnoException;
    const reason = code ? EXPLAINED[code] : undefined;
    if (reason && path) {
      throw new Error(`cannot write ${path} for the embedded PostgreSQL: ${reason}`, {
        cause: error,
      });
    }
    throw error;
  }
}
