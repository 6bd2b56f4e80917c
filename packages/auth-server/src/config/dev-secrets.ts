import { readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateServerSecrets } from './generate-secrets.ts';
import type { DevSecrets } from './server-config.ts';

/**
 * Loads the development secrets from the data folder, creating them on first use. Only `dev`
 * calls this; `serve` requires real secrets from the environment.
 */
export async function loadOrCreateDevSecrets(
  dataDir: string,
): Promise<{ secrets: DevSecrets; created: boolean }> {
  const file = path.join(dataDir, 'dev-secrets.json');
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== undefined) {
    // Never replace a damaged file: the signing keys in the database are encrypted under it.
    const parsed = JSON.parse(text) as Partial<DevSecrets>;
    if (!Array.isArray(parsed.cookieKeys) || typeof parsed.keyEncryptionKey !== 'string') {
      throw new Error(`${file} is damaged: restore it, or delete the data folder to start over`);
    }
    return { secrets: parsed as DevSecrets, created: false };
  }
  const secrets: DevSecrets = generateServerSecrets();
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { secrets, created: true };
}

/**
 * The development secrets in the data folder, if `dev` created them there (never creates them):
 * what `serve` refuses to run with. A missing or unreadable file gives `undefined`.
 *
 * @example
 * loadServerConfig(env, { mode: 'production', devSecrets: findDevSecrets(dataDir) });
 */
export function findDevSecrets(dataDir: string): DevSecrets | undefined {
  try {
    const parsed = JSON.parse(
      readFileSync(path.join(dataDir, 'dev-secrets.json'), 'utf8'),
    ) as Partial<DevSecrets>;
    return Array.isArray(parsed.cookieKeys) && typeof parsed.keyEncryptionKey === 'string'
      ? (parsed as DevSecrets)
      : undefined;
  } catch {
    return undefined;
  }
}
