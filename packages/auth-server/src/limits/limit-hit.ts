import type { LimitRule } from './limit-rule.ts';

/** A key passed its limit: the moment a lockout starts (one per key and lockout). */
export interface LimitHit {
  /**
   * Which kind: client authentication, sign-in, a device-flow user code, an open sign-up or an
   * open dynamic registration.
   */
  limit: 'client_auth' | 'signin' | 'device_code' | 'signup' | 'registration';
  /** What was counted: a client id, an address, an account or the whole server. */
  key: 'client' | 'address' | 'account' | 'server';
  rule: LimitRule;
  /** Whole seconds until the lockout ends. */
  retryAfterSeconds: number;
  /** The request's address (the trusted one). */
  address: string;
  clientId?: string;
  /** For an account lockout: the username as typed (recorded only when it names a user). */
  username?: string;
  /** Client authentication: the endpoint (`token`, `introspection`, `revocation`, ...). */
  endpoint?: string;
  /** Sign-in: where (`authorization` or `account`). */
  via?: string;
}
