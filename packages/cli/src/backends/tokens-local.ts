import type { TokensService } from '@portcullis/auth-server';
import { operatorTokenJson } from '@portcullis/auth-server/config';
import { loadAuthServer, loadServices } from '../lazy.ts';
import { cliActor, type Io, withDatabase } from '../runtime.ts';
import type { TokensBackend } from './tokens-backend.ts';

/**
 * The local back end of the `tokens` commands: issuing and revoking through the tokens service
 * (oidc-provider's models, so the main entry) on the database, audited with the CLI's actor;
 * listing through the services entry alone.
 *
 * @example
 * await localTokens(io).revoke({ grant: 'a1b2...' });
 */
export function localTokens(io: Io): TokensBackend {
  const withService = async <T>(work: (service: TokensService) => Promise<T>) => {
    const { createTokensService } = await loadAuthServer();
    return withDatabase(io, (db) => work(createTokensService(db)));
  };
  const change = () => ({ actor: cliActor(io) });
  return {
    async list() {
      const { createOperatorTokensService } = await loadServices();
      const tokens = await withDatabase(io, (db) => createOperatorTokensService(db).list());
      return tokens.map(operatorTokenJson);
    },
    issue: (input) => withService((s) => s.issue(input, change())),
    revoke: (target) => withService((s) => s.revoke(target, change())),
  };
}
