import {
  createOperatorTokensRepository,
  type Database,
  type OperatorTokenPageQuery,
  type OperatorTokenRecord,
} from '@portcullis/storage';

/**
 * The operator-issued tokens still valid (`tokens list`, `GET /admin/v1/tokens`): what
 * `tokens issue` recorded of each (its grant, client, user, scope, resource, times) and who
 * issued it (the audit trail's `token.issued`), never the token nor anything that would let one
 * use it. Issuing and revoking need oidc-provider's models (`createTokensService`, main entry
 * only); listing reads the database alone, so the CLI's services entry has it.
 *
 * @example
 * const newest = await createOperatorTokensService(db).list({ limit: 50 });
 */
export function createOperatorTokensService(db: Database) {
  const tokens = createOperatorTokensRepository(db);
  return {
    /** Newest first (issue time, then grant id), after `page.after`; every one without `limit`. */
    list(page: OperatorTokenPageQuery = {}): Promise<OperatorTokenRecord[]> {
      return tokens.listPage(page);
    },
  };
}
