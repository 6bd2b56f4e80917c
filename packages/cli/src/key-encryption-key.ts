import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseKeyEncryptionKey } from '@portcullis/auth-server/config';
import { CliError } from './errors.ts';
import { dataDir, type Io } from './runtime.ts';

/**
 * The key-encryption key the servers use: `PORTCULLIS_KEY_ENCRYPTION_KEY`, or the development
 * one `portcullis dev` keeps in the data folder. `why` ends the one-line error when there is
 * neither, e.g. `new keys are stored encrypted under it`.
 *
 * @example
 * const kek = await readKeyEncryptionKey(io, 'new keys are stored encrypted under it');
 */
export async function readKeyEncryptionKey(io: Io, why: string): Promise<Buffer> {
  const fromEnv = io.env.PORTCULLIS_KEY_ENCRYPTION_KEY;
  if (fromEnv) return parseKeyEncryptionKey(fromEnv);
  let text: string;
  try {
    text = await readFile(path.join(dataDir(io.env), 'dev-secrets.json'), 'utf8');
  } catch {
    throw new CliError(
      `set PORTCULLIS_KEY_ENCRYPTION_KEY to the key-encryption key the servers use: ${why}`,
    );
  }
  const secrets = JSON.parse(text) as { keyEncryptionKey?: unknown };
  if (typeof secrets.keyEncryptionKey !== 'string') {
    throw new CliError(
      'the data folder has no development key-encryption key: set PORTCULLIS_KEY_ENCRYPTION_KEY',
    );
  }
  return parseKeyEncryptionKey(secrets.keyEncryptionKey);
}
