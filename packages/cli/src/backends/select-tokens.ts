import type { Io } from '../runtime.ts';
import { selectBackend } from './select-backend.ts';
import type { TokensBackend } from './tokens-backend.ts';

/**
 * The back end of the `tokens` commands but purge: the admin API with `--server`, else the
 * database.
 *
 * @example
 * const issued = await (await tokensBackend(io)).issue(input);
 */
export const tokensBackend = (io: Io): Promise<TokensBackend> =>
  selectBackend(io, {
    local: async () => (await import('./tokens-local.ts')).localTokens,
    remote: async () => (await import('./tokens-remote.ts')).remoteTokens,
  });
