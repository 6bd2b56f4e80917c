import type {
  IssuedToken,
  IssueTokenInput,
  RevokedArtifacts,
  RevokeTarget,
} from '@portcullis/auth-server';
import type { OperatorTokenJson } from '@portcullis/auth-server/config';

/**
 * What `tokens list`, `tokens issue` and `tokens revoke` do, with two back ends: the tokens
 * services on the database (local mode) or the admin API (`--server`), which revokes one grant
 * at a time. The commands print the same from either.
 */
export interface TokensBackend {
  /** The operator-issued tokens still valid, newest first, as `tokens list --json` prints them. */
  list(): Promise<OperatorTokenJson[]>;
  issue(input: IssueTokenInput): Promise<IssuedToken>;
  revoke(target: RevokeTarget): Promise<RevokedArtifacts>;
}
