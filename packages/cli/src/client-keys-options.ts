import { readFile, stat } from 'node:fs/promises';
import { CliError } from './errors.ts';

/** The largest JWKS file `--jwks-file` reads: 64 KiB (ten RSA keys take about 8). */
const MAX_JWKS_BYTES = 64 * 1024;

/** The options of `clients create|update` that give a `private_key_jwt` client its keys. */
export interface ClientKeysOptions {
  authMethod?: string;
  jwksFile?: string;
  jwksUri?: string;
}

/**
 * The service input for the client's authentication method and keys: the JWKS file read and
 * parsed as JSON (what is in it is the service's to check), or the JWKS URI as given. Giving both
 * is refused here, before anything is read.
 *
 * @example
 * await clientKeysInput({ authMethod: 'private_key_jwt', jwksFile: 'keys.json' });
 * // { authMethod: 'private_key_jwt', jwks: { keys: [...] } }
 */
export async function clientKeysInput(
  options: ClientKeysOptions,
): Promise<{ authMethod?: string; jwks?: unknown; jwksUri?: string }> {
  if (options.jwksFile !== undefined && options.jwksUri !== undefined) {
    throw new CliError(
      'give --jwks-file or --jwks-uri, not both: a private_key_jwt client has one of them',
      2,
    );
  }
  return {
    ...(options.authMethod !== undefined ? { authMethod: options.authMethod } : {}),
    ...(options.jwksFile !== undefined ? { jwks: await readJwksFile(options.jwksFile) } : {}),
    ...(options.jwksUri !== undefined ? { jwksUri: options.jwksUri } : {}),
  };
}

async function readJwksFile(file: string): Promise<unknown> {
  const stats = await stat(file).catch(() => undefined);
  if (stats === undefined) throw new CliError(`cannot read ${file}: no such file`);
  if (!stats.isFile()) throw new CliError(`${file} is not a file`);
  if (stats.size > MAX_JWKS_BYTES) throw new CliError(`${file} is larger than 64 KiB`);
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not JSON: give a JWK Set, {"keys": [...]}`);
  }
}
