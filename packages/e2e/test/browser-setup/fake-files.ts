import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A temporary folder, removed when the test ends. */
export async function tempFolder(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'portcullis-browser-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes an executable shell script (mode 0755) at `file`, creating its folders. */
export async function script(file: string, body: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

/** A stand-in browser that answers `--version` like chromium does. */
export function fakeBrowser(file: string, version = 'Chromium 131.0.6778.139'): Promise<string> {
  return script(file, `echo "${version}"`);
}
