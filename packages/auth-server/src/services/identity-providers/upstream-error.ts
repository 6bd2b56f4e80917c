/**
 * Why a sign-in through another provider failed: the provider could not be reached, its answer
 * was refused, or our own record of it cannot be used (its client secret does not decrypt under
 * this server's key-encryption key).
 */
export class UpstreamError extends Error {
  readonly code: 'upstream_unreachable' | 'upstream_refused' | 'provider_unusable';
  /** The provider's name, as its button shows it. */
  readonly provider: string | undefined;

  constructor(
    code: UpstreamError['code'],
    message: string,
    provider?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UpstreamError';
    this.code = code;
    this.provider = provider;
  }
}
