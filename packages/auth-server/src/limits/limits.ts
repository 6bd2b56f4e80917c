import { createUsersRepository, type Database, type NewAuditEvent } from '@portcullis/storage';
import { asUsername } from '../domain/users.ts';
import type { Logger } from '../observability/logger.ts';
import { SIGN_IN_ACCOUNT_COUNTER } from './clear-sign-in-failures.ts';
import { type ClientAuthLimits, createClientAuthLimits } from './client-auth-limits.ts';
import { createDeviceCodeLimits, type DeviceCodeLimits } from './device-code-limits.ts';
import { createFailureCounter } from './failure-counter.ts';
import type { LimitHit } from './limit-hit.ts';
import { createLimitKeys } from './limit-keys.ts';
import { formatLimitRule, type LimitRule, type LimitsConfig } from './limit-rule.ts';
import {
  createOpenRegistrationLimits,
  type OpenRegistrationLimits,
} from './open-registration-limits.ts';
import { createSignInLimits, type SignInLimits } from './sign-in-limits.ts';
import { createSignupLimits, type SignupLimits } from './signup-limits.ts';

/** The brute-force limits of one authorization server. */
export interface Limits {
  clientAuth: ClientAuthLimits;
  signIn: SignInLimits;
  deviceCode: DeviceCodeLimits;
  signup: SignupLimits;
  openRegistration: OpenRegistrationLimits;
}

/**
 * Builds the brute-force limits from configuration: nine counters in the `rate_limits` table,
 * shared by every replica on the same database. Each lockout is recorded once as a
 * `rate_limit.hit` audit event (actor `system`); every refused attempt is passed to `onRefused`
 * (metrics).
 *
 * @example
 * const limits = createLimits({ db, config: config.limits, keySecret: config.keyEncryptionKey, audit, logger });
 * const attempt = await limits.signIn.begin({ username, address: ctx.ip, via: 'account' });
 */
export function createLimits(deps: {
  db: Database;
  config: LimitsConfig;
  /** Shared by every replica; account keys are HMACs under a key derived from it. */
  keySecret: Buffer;
  audit: { record(event: NewAuditEvent): Promise<void> };
  logger: Logger;
  /** Every attempt a limit refused, by the limit's fixed name (`client_auth_client`, ...). */
  onRefused?: (limit: string) => void;
}): Limits {
  const { db, config, logger } = deps;
  const keys = createLimitKeys(deps.keySecret);
  const users = createUsersRepository(db);
  let sweeping = false;
  // The first counter built also deletes the table's long-expired rows (one sweeper per process).
  // Client-authentication counters remember locked keys (failures then cost no write); sign-in and
  // user-code counters always ask PostgreSQL, so deleting a row lifts a lockout on every replica
  // at once.
  const counter = (name: string, rule: LimitRule | null, remember: boolean) => {
    if (!rule) return null;
    const sweep = !sweeping;
    sweeping = true;
    return createFailureCounter({ db, name, rule, remember, sweep });
  };

  const hit = async (event: LimitHit): Promise<void> => {
    logger.warn('rate limit hit', {
      limit: event.limit,
      key: event.key,
      address: event.address,
      client_id: event.clientId,
    });
    const username = event.username === undefined ? undefined : asUsername(event.username);
    const user =
      username === undefined
        ? undefined
        : await users.findByUsername(username).catch(() => undefined);
    await deps.audit.record({
      type: 'rate_limit.hit',
      actor: 'system',
      clientId: event.clientId ?? null,
      subject: user?.id ?? null,
      address: event.address,
      details: {
        limit: event.limit,
        key: event.key,
        rule: formatLimitRule(event.rule),
        retry_after: event.retryAfterSeconds,
        ...(event.endpoint ? { endpoint: event.endpoint } : {}),
        ...(event.via ? { via: event.via } : {}),
        ...(user ? { username: user.username } : {}),
      },
    });
  };
  const refused = (limit: string) => deps.onRefused?.(limit);
  const onError = (what: string) => (error: unknown) =>
    logger.warn(what, { error: error instanceof Error ? error.message : 'failed' });

  return {
    clientAuth: createClientAuthLimits({
      perClient: counter('client', config.clientAuth, true),
      perAddress: counter('client-address', config.clientAuthAddress, true),
      keys,
      hit,
      refused,
      onError: onError('could not count a failed client authentication'),
    }),
    signIn: createSignInLimits({
      perAccount: counter(SIGN_IN_ACCOUNT_COUNTER, config.signIn, false),
      perAddress: counter('signin-address', config.signInAddress, false),
      keys,
      hit,
      refused,
      onError: onError('could not clear the sign-in failures of a successful sign-in'),
    }),
    deviceCode: createDeviceCodeLimits({
      perAddress: counter('device-code-address', config.deviceCodeAddress, false),
      perServer: counter('device-code', config.deviceCode, false),
      keys,
      hit,
      refused,
      onError: onError('could not take back the attempt of a user code found'),
    }),
    signup: createSignupLimits({
      perEmail: counter('signup-email', config.signup, false),
      perAddress: counter('signup-address', config.signupAddress, false),
      keys,
      hit,
      refused,
    }),
    openRegistration: createOpenRegistrationLimits({
      perAddress: counter('registration-address', config.registrationAddress, false),
      keys,
      hit,
      refused,
    }),
  };
}
