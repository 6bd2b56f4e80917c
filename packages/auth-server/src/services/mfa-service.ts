import {
  createAuditRepository,
  createFactorsRepository,
  type Database,
  type FactorRecord,
  type UserRecord,
} from '@portcullis/storage';
import { Secret, TOTP } from 'otpauth';
import { AuthServerError } from '../errors.ts';
import { decryptPrivateKey, encryptPrivateKey } from '../keys/key-encryption.ts';
import { actorOf, type ChangeOptions } from './change-options.ts';
import { newId } from './new-id.ts';
import { issueRecoveryCodes, normalizeRecoveryCode, recoveryCodeDigest } from './recovery-codes.ts';

// RFC 6238's defaults, the ones every authenticator app reads from an otpauth:// URI.
const PERIOD = 30;
const DIGITS = 6;
// One step either side of now: a phone's clock a little off, or a code typed as it changed.
const WINDOW = 1;

/** A factor as the account page and `users mfa show` see it: never its secret. */
export interface FactorSummary {
  id: string;
  kind: FactorRecord['kind'];
  label: string;
  confirmedAt: Date | null;
  lastUsedAt: Date | null;
}

/** What `users mfa show` and the account page show of a user's second factors. */
export interface MfaStatus {
  factors: FactorSummary[];
  recoveryCodesLeft: number;
}

/** An authenticator-app enrolment waiting for its first code. */
export interface TotpEnrolment {
  factorId: string;
  /** The seed in base32, for typing into the app by hand. */
  secret: string;
  /** The `otpauth://` URI the QR code carries. */
  uri: string;
}

const summary = (f: FactorRecord): FactorSummary => ({
  id: f.id,
  kind: f.kind,
  label: f.label,
  confirmedAt: f.confirmedAt,
  lastUsedAt: f.lastUsedAt,
});

/** The user's confirmed factors (never a secret) and how many recovery codes are left. */
export async function factorStatus(db: Database, userId: string): Promise<MfaStatus> {
  const factors = createFactorsRepository(db);
  return {
    factors: (await factors.listForUser(userId)).filter((f) => f.confirmedAt).map(summary),
    recoveryCodesLeft: await factors.recoveryCodesLeft(userId),
  };
}

/**
 * Second factors: TOTP (RFC 6238) enrolment, confirmation and verification, single-use recovery
 * codes, removal and the operator's reset. Seeds are stored only encrypted under the
 * key-encryption key (AES-256-GCM, bound to the factor's id), recovery codes only as SHA-256
 * digests. A code's time step is accepted once per factor: the last step used is stored and a
 * code of that step or an earlier one is refused. Changes are audited (`mfa.enrolled`,
 * `mfa.removed`, `mfa.recovery_code_used`) in the transaction that makes them. The operator's
 * side (`users mfa show|reset`) is {@link createUserFactorsService}, which needs no key.
 *
 * @example
 * const mfa = createMfaService({ db, keyEncryptionKey, issuer: 'Portcullis' });
 * const enrolment = await mfa.pendingTotp(user);
 */
export function createMfaService(deps: {
  db: Database;
  keyEncryptionKey: Buffer;
  /** The name authenticator apps show above the code. */
  issuer: string;
  /** Milliseconds since the epoch; tests set it. */
  now?: () => number;
}) {
  const { db, keyEncryptionKey } = deps;
  const now = deps.now ?? Date.now;
  const factors = createFactorsRepository(db);

  const seedOf = (factor: FactorRecord) =>
    decryptPrivateKey(factor.secret, keyEncryptionKey, `totp:${factor.id}`);
  const totpFor = (secret: string, label: string) =>
    new TOTP({
      issuer: deps.issuer,
      label,
      algorithm: 'SHA1',
      digits: DIGITS,
      period: PERIOD,
      secret: Secret.fromBase32(secret),
    });

  // The time step `code` belongs to within the window, or undefined when it is none of them.
  const stepOf = (factor: FactorRecord, code: string): number | undefined => {
    const token = code.replace(/\s/g, '');
    if (!/^\d{6}$/.test(token)) return undefined;
    const totp = totpFor(seedOf(factor), factor.label);
    const timestamp = now();
    const delta = totp.validate({ token, timestamp, window: WINDOW });
    return delta === null ? undefined : totp.counter({ timestamp }) + delta;
  };

  const record = (
    trx: Database,
    type: 'mfa.enrolled' | 'mfa.removed' | 'mfa.recovery_code_used',
    user: Pick<UserRecord, 'id' | 'username'>,
    details: Record<string, unknown>,
    options: ChangeOptions,
  ) =>
    createAuditRepository(trx).record({
      type,
      actor: actorOf(options),
      subject: user.id,
      details: { username: user.username, ...details },
    });

  const status = (userId: string) => factorStatus(db, userId);

  return {
    status,

    /** Whether the user has a confirmed second factor (an authenticator app or a passkey). */
    async hasFactor(userId: string): Promise<boolean> {
      return (await factors.listForUser(userId)).some((f) => f.confirmedAt);
    },

    /** Whether the user has an authenticator app set up (codes can be asked for). */
    async hasApp(userId: string): Promise<boolean> {
      return (await factors.listForUser(userId)).some((f) => f.kind === 'totp' && f.confirmedAt);
    },

    /**
     * The user's authenticator-app enrolment in progress, or a new one (a new seed, stored
     * encrypted and unconfirmed). A user who has one already gets a refusal: remove it first.
     */
    async pendingTotp(user: Pick<UserRecord, 'id' | 'username'>): Promise<TotpEnrolment> {
      const mine = await factors.listForUser(user.id);
      if (mine.some((f) => f.kind === 'totp' && f.confirmedAt)) {
        throw new AuthServerError('conflict', 'an authenticator app is already set up');
      }
      let pending = mine.find((f) => f.kind === 'totp');
      if (!pending) {
        const id = newId();
        const seed = new Secret({ size: 20 }).base32;
        await factors.startEnrolment({
          id,
          userId: user.id,
          kind: 'totp',
          label: 'Authenticator app',
          secret: encryptPrivateKey(seed, keyEncryptionKey, `totp:${id}`),
        });
        pending = (await factors.listForUser(user.id)).find((f) => f.id === id) as FactorRecord;
      }
      const secret = seedOf(pending);
      return { factorId: pending.id, secret, uri: totpFor(secret, user.username).toString() };
    },

    /**
     * Drops the user's authenticator-app enrolment in progress, if any (the user chose another
     * factor on the setup page): its seed, shown once, is not kept for later.
     */
    async dropPendingTotp(userId: string): Promise<void> {
      for (const factor of await factors.listForUser(userId)) {
        if (factor.kind === 'totp' && !factor.confirmedAt) await factors.remove(userId, factor.id);
      }
    },

    /**
     * Confirms the enrolment in progress with a code from the app: the factor becomes active and
     * ten new recovery codes replace any old ones; they are returned once, here, and stored only
     * as digests. Undefined when the code is wrong (nothing changes).
     */
    async confirmTotp(
      user: Pick<UserRecord, 'id' | 'username'>,
      code: string,
      options: ChangeOptions = {},
    ): Promise<string[] | undefined> {
      const pending = (await factors.listForUser(user.id)).find(
        (f) => f.kind === 'totp' && !f.confirmedAt,
      );
      const step = pending ? stepOf(pending, code) : undefined;
      if (!pending || step === undefined) return undefined;
      return db.transaction(async (trx) => {
        const inTrx = createFactorsRepository(trx);
        if (!(await inTrx.useStep(pending.id, step, { confirm: true }))) return undefined;
        const codes = await issueRecoveryCodes(trx, user.id);
        await record(trx, 'mfa.enrolled', user, { kind: 'totp', factor_id: pending.id }, options);
        return codes;
      });
    },

    /**
     * Checks a code from one of the user's authenticator apps: true once per time step (a code
     * already accepted, or an older one, is refused).
     */
    async verifyTotp(userId: string, code: string): Promise<boolean> {
      for (const factor of await factors.listForUser(userId)) {
        if (factor.kind !== 'totp' || !factor.confirmedAt) continue;
        const step = stepOf(factor, code);
        if (step !== undefined && (await factors.useStep(factor.id, step))) return true;
      }
      return false;
    },

    /** Uses one of the user's recovery codes: true the first time, false ever after. */
    async useRecoveryCode(
      user: Pick<UserRecord, 'id' | 'username'>,
      code: string,
      options: ChangeOptions = {},
    ): Promise<boolean> {
      if (!/^[a-z2-7]{16}$/.test(normalizeRecoveryCode(code))) return false;
      return db.transaction(async (trx) => {
        const inTrx = createFactorsRepository(trx);
        if (!(await inTrx.useRecoveryCode(user.id, recoveryCodeDigest(code)))) return false;
        const left = await inTrx.recoveryCodesLeft(user.id);
        await record(trx, 'mfa.recovery_code_used', user, { recovery_codes_left: left }, options);
        return true;
      });
    },

    /**
     * Removes one of the user's factors; with the last one go the recovery codes. `not_found`
     * when the user has no such factor.
     */
    async remove(
      user: Pick<UserRecord, 'id' | 'username'>,
      factorId: string,
      options: ChangeOptions = {},
    ): Promise<void> {
      await db.transaction(async (trx) => {
        const inTrx = createFactorsRepository(trx);
        const factor = (await inTrx.listForUser(user.id)).find((f) => f.id === factorId);
        if (!factor || !(await inTrx.remove(user.id, factorId))) {
          throw new AuthServerError('not_found', 'no such second factor');
        }
        if (!(await inTrx.listForUser(user.id)).some((f) => f.confirmedAt)) {
          await inTrx.removeAll(user.id);
        }
        await record(trx, 'mfa.removed', user, { kind: factor.kind, factor_id: factorId }, options);
      });
    },
  };
}

/** The service {@link createMfaService} returns. */
export type MfaService = ReturnType<typeof createMfaService>;
