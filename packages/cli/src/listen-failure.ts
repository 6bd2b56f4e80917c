import { CliError } from './errors.ts';

/** The settings that choose where a listener listens: named in the line when it cannot. */
export interface ListenSettings {
  port: string;
  host: string;
}

/**
 * A listener that could not start, as one line naming the address and the setting to change;
 * any other error is returned as it is.
 *
 * @example
 * try { await server.listen(); }
 * catch (error) { throw listenFailure(error, { port: 'PORTCULLIS_PORT', host: 'PORTCULLIS_HOST' }); }
 * // portcullis: port 3000 is already in use (127.0.0.1:3000): stop what listens there, or set PORTCULLIS_PORT to another port
 */
export function listenFailure(error: unknown, settings: ListenSettings): unknown {
  const { code, port, address, syscall } = error as {
    code?: unknown;
    port?: unknown;
    address?: unknown;
    syscall?: unknown;
  };
  if (syscall !== 'listen' && syscall !== 'bind') return error;
  const where = `${String(address)}:${String(port)}`;
  switch (code) {
    case 'EADDRINUSE':
      return new CliError(
        `port ${String(port)} is already in use (${where}): stop what listens there, or set ${settings.port} to another port`,
      );
    case 'EACCES':
      return new CliError(
        `no permission to listen on port ${String(port)} (${where}): set ${settings.port} to 1024 or above, or run with the privilege to bind low ports`,
      );
    case 'EADDRNOTAVAIL':
      return new CliError(
        `cannot listen on ${where}: ${String(address)} is no address of this machine; check ${settings.host}`,
      );
    default:
      return error;
  }
}
