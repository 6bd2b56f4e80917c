import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { removeEmbeddedPostgres } from '../embedded/embedded-postgres.ts';

/** A scratch data folder for an embedded PostgreSQL, and how to remove it with its cluster. */
export interface EmbeddedDataDir {
  dir: string;
  /** Deletes the data folder and its cluster wherever it lives (stop the server first). */
  remove(): Promise<void>;
}

/**
 * A new data folder inside a private (mode 0700) folder of the system temp folder, like a
 * checkout in root's home: as root, its cluster goes to the system folder. Remove it with
 * `remove()`, not a plain `rm`, which would leave such a cluster behind.
 *
 * @example
 * const data = await createEmbeddedDataDir('outage-test');
 * t.teardown(() => data.remove());
 * const pg = await startEmbeddedPostgres(data.dir);
 * t.teardown(() => pg.stop()); // runs first: ava runs teardowns last-in, first-out
 */
export async function createEmbeddedDataDir(prefix: string): Promise<EmbeddedDataDir> {
  const home = await mkdtemp(path.join(os.tmpdir(), `portcullis-${prefix}-`));
  const dir = path.join(home, '.portcullis');
  return {
    dir,
    async remove() {
      await removeEmbeddedPostgres(dir);
      await rm(home, { recursive: true, force: true });
    },
  };
}
