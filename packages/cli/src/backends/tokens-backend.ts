import type {
  IssuedToken,
  IssueTokenInput,
  RevokedArtifacts,
  RevokeTarget,
} from '@portcullis/auth-server';

/**
 * What `tokens issue` and `tokens revoke` do, with two back ends: the tokens service on the
 * database (local mode) or the admin API (`--server`), which revokes one grant at a time. The
 * commands print the same from either.
 */
export interface TokensBackend {
  issue(input: IssueTokenInput): Promise<IssuedToken>;
  revoke(target: RevokeTarget): Promise<RevokedArtifacts>;
}
