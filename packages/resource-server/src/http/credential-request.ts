/** What a header lookup answers when the request carries the header more than once. */
export const repeatedHeader: unique symbol = Symbol('repeated header');

/** The two headers credentials are read from. */
export type CredentialHeader = 'authorization' | 'dpop';

/**
 * What the core reads of a request, whatever framework received it: the method, the request
 * target and the credential headers. Adapters build one per request (`fromNodeRequest`,
 * `fromFetchRequest`); nothing here reads a body.
 */
export interface CredentialRequest {
  /** The request method, upper case as Node gives it (`GET`). */
  readonly method: string;
  /**
   * The request target as received: origin-form (`/notes?page=2`) or absolute-form
   * (`https://api.example.com/notes`). Its query is checked for an `access_token` parameter and
   * its path is the DPoP proof's `htu`.
   */
  readonly target: string;
  /**
   * The value of the header `name`: `undefined` when absent, {@link repeatedHeader} when the
   * request carries it more than once (a repeated credential is refused, never guessed at).
   */
  header(name: CredentialHeader): string | undefined | typeof repeatedHeader;
}
