import {
  createRegistrationTokensRepository,
  createResourcesRepository,
  type Database,
  type RegistrationTokenRecord,
} from '@portcullis/storage';
import { formatDuration, parseDuration } from '../../domain/duration.ts';
import { AuthServerError } from '../../errors.ts';
import { generateClientSecret, hashClientSecret } from '../../secrets/client-secret.ts';
import { actorOf, type ChangeOptions } from '../change-options.ts';
import { checkScopes } from '../clients/client-validation.ts';
import { newId } from '../new-id.ts';
import { invalidField, splitScopes, validateResourceIdentifier } from '../validation.ts';

/** Bounds of an initial access token's lifetime and uses. */
export const REGISTRATION_TOKEN_LIMITS = {
  expires: { min: 60, max: 365 * 86_400, default: 86_400 },
  maxUses: { max: 1_000_000, default: 1 },
} as const;

/** What the operator asks for in `clients registration-token create`. */
export interface CreateRegistrationTokenInput {
  /** How long it may be used: `1d`, `30m`, seconds; `never` for no expiry; unset: 1 day. */
  expires?: string | number;
  /** How many clients it may register: a number, or `unlimited`; unset: 1. */
  maxUses?: string | number;
  /** Scopes a client registered with it may have (space-separated items); unset: any. */
  scopes?: readonly string[];
  /** Resources a client registered with it is allowed. */
  resources?: readonly string[];
}

/** Where an initial access token stands. */
export type RegistrationTokenStatus = 'live' | 'expired' | 'used up' | 'revoked';

/** A new initial access token: the only time its value is ever shown. */
export interface CreatedRegistrationToken {
  token: string;
  record: RegistrationTokenRecord;
}

/**
 * Where `token` stands at `now`: revoked, expired, used up, or live.
 *
 * @example
 * registrationTokenStatus(record, new Date()); // 'live'
 */
export function registrationTokenStatus(
  token: Pick<RegistrationTokenRecord, 'revokedAt' | 'expiresAt' | 'maxUses' | 'uses'>,
  now: Date,
): RegistrationTokenStatus {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && token.expiresAt <= now) return 'expired';
  if (token.maxUses !== null && token.uses >= token.maxUses) return 'used up';
  return 'live';
}

/**
 * Initial access tokens for dynamic client registration (RFC 7591 §3), for the CLI: a token is
 * 256 random bits shown once and stored only as its SHA-256 digest, with an expiry (1 day unless
 * asked otherwise), a number of uses (1 unless asked otherwise) and the scopes and resources
 * the clients it registers may have. Each write is one transaction with its audit event.
 *
 * @example
 * const { token } = await createRegistrationTokensService(db).create({ expires: '1d', maxUses: 5 });
 */
export function createRegistrationTokensService(db: Database) {
  const tokens = createRegistrationTokensRepository(db);
  const resources = createResourcesRepository(db);

  return {
    async create(
      input: CreateRegistrationTokenInput,
      options: ChangeOptions = {},
    ): Promise<CreatedRegistrationToken> {
      const expiresIn = parseExpiry(input.expires);
      const maxUses = parseMaxUses(input.maxUses);
      const resourceIds = [...new Set(input.resources ?? [])].map(validateResourceIdentifier);
      const scopes = splitScopes(input.scopes ?? []);
      await checkScopes(
        { scopes: input.scopes ?? [], resources: input.resources ?? [] },
        scopes,
        resourceIds,
        resources,
        'the token',
      );
      const token = generateClientSecret();
      const id = newId();
      const expiresAt = expiresIn === null ? null : new Date(Date.now() + expiresIn * 1000);
      const record = await tokens.create(
        {
          id,
          tokenHash: hashClientSecret(token),
          scopes,
          resources: resourceIds,
          maxUses,
          expiresAt,
          createdBy: actorOf(options),
        },
        {
          audit: [
            {
              type: 'registration_token.created',
              actor: actorOf(options),
              details: {
                registration_token: id,
                expires_at: expiresAt?.toISOString() ?? null,
                max_uses: maxUses,
                scope: scopes.join(' '),
                resources: resourceIds,
              },
            },
          ],
        },
      );
      return { token, record };
    },

    list: () => tokens.list(),

    /** Revokes a token: it registers no more clients (those it registered stay). */
    async revoke(id: string, options: ChangeOptions = {}): Promise<RegistrationTokenRecord> {
      const revoked = await tokens.revoke(id, {
        audit: (token) => [
          {
            type: 'registration_token.revoked',
            actor: actorOf(options),
            details: { registration_token: token.id, uses: token.uses },
          },
        ],
      });
      if (!revoked) {
        throw new AuthServerError('not_found', `no initial access token with id "${id}"`);
      }
      return revoked;
    },
  };
}

/** The service {@link createRegistrationTokensService} returns. */
export type RegistrationTokensService = ReturnType<typeof createRegistrationTokensService>;

// Seconds until the token expires, or null for `never`.
function parseExpiry(value: string | number | undefined): number | null {
  const { min, max } = REGISTRATION_TOKEN_LIMITS.expires;
  if (value === undefined) return REGISTRATION_TOKEN_LIMITS.expires.default;
  if (value === 'never') return null;
  const seconds = typeof value === 'number' ? value : parseDuration(value);
  if (seconds === undefined || !Number.isInteger(seconds)) {
    invalidField(
      'expires',
      `"${value}" is not a duration: use a number with s, m, h or d (1d, 30m), or never`,
      { value },
    );
  }
  if (seconds < min || seconds > max) {
    invalidField('expires', `must be from ${formatDuration(min)} to ${formatDuration(max)}`, {
      value,
    });
  }
  return seconds;
}

// The number of registrations allowed, or null for `unlimited`.
function parseMaxUses(value: string | number | undefined): number | null {
  const { max } = REGISTRATION_TOKEN_LIMITS.maxUses;
  if (value === undefined) return REGISTRATION_TOKEN_LIMITS.maxUses.default;
  if (value === 'unlimited') return null;
  const uses = typeof value === 'number' ? value : /^\d{1,7}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(uses) || uses < 1 || uses > max) {
    invalidField('maxUses', `must be a whole number from 1 to ${max}, or unlimited`, { value });
  }
  return uses;
}
