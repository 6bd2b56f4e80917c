import { CliError } from '../errors.ts';
import type { Io } from '../runtime.ts';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The server a remote command runs through (`--server URL`, or `PORTCULLIS_SERVER`): its issuer
 * URL, or undefined for the local mode (the database). Plain http only on loopback, since a
 * client secret and admin tokens travel on it.
 *
 * @example
 * const server = remoteServer(io); // new URL('https://auth.example.com') or undefined
 */
export function remoteServer(io: Io): URL | undefined {
  const value = io.env.PORTCULLIS_SERVER?.trim();
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(`--server must be a URL (the issuer's), got "${value}"`, 2);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new CliError(`--server must use https (http only on localhost), got "${value}"`, 2);
  }
  return url;
}
