import { createHash, randomBytes } from 'node:crypto';
import {
  type ChallengePurpose,
  createAuditRepository,
  createFactorsRepository,
  createPasskeysRepository,
  type Database,
  type PasskeyRecord,
  type UserRecord,
} from '@portcullis/storage';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { AuthServerError } from '../errors.ts';
import { actorOf, type ChangeOptions } from './change-options.ts';
import { newId } from './new-id.ts';
import { issueRecoveryCodes } from './recovery-codes.ts';

// Long enough to touch a key or unlock a phone, short enough that a page left open goes stale.
const CHALLENGE_SECONDS = 300;
const REUSE_MARGIN_SECONDS = 60;
const NAME_MAX = 60;
// EdDSA, ES256 and RS256 (COSE ids), named here: the library's default list probes the runtime for
// ML-DSA, an experimental Web Crypto algorithm that makes Node print a warning on every page.
const ALGORITHMS = [-8, -7, -257];
// @simplewebauthn/server, with the ASN.1 and X.509 parsers under it (about 5 MiB of heap), loads
// with the first passkey page or assertion, not with the server (docs/benchmarks.md, "Memory").
let loaded:
  | Promise<
      [typeof import('@simplewebauthn/server'), typeof import('@simplewebauthn/server/helpers')]
    >
  | undefined;
const webauthn = () =>
  (loaded ??= Promise.all([
    import('@simplewebauthn/server'),
    import('@simplewebauthn/server/helpers'),
  ]));

// A credential as the browser sends it: a few kilobytes at most (an RSA key, a long attestation).
const RESPONSE_MAX = 16_384;

/** A passkey as the account page and `users mfa show` list it. */
export interface PasskeySummary {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** Synced to other devices by its provider (the backup flag). */
  backedUp: boolean;
}

/**
 * A passkey just added, and the recovery codes issued with it (shown once, then only their
 * digests are kept): set when the user had no unused recovery code left.
 */
export interface AddedPasskey extends PasskeySummary {
  recoveryCodes?: string[];
}

/** A passkey sign-in that verified: whose, and whether the authenticator verified the user. */
export interface PasskeyUse {
  userId: string;
  passkeyId: string;
  userVerified: boolean;
}

/** Why a passkey was refused; `userId` is the owner when the credential is a known one. */
export interface PasskeyRefusal {
  refused: 'unknown' | 'challenge' | 'not_verified' | 'counter' | 'wrong_user';
  userId?: string;
}

/**
 * A passkey's name as given, trimmed: 1 to 60 characters, no control characters (a line break
 * would break the CLI's one-line listing); `invalid_input` on the field `name` otherwise.
 */
function validName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > NAME_MAX || /[\p{Cc}]/u.test(trimmed)) {
    throw new AuthServerError('invalid_input', `must be 1 to ${NAME_MAX} characters`, {
      field: 'name',
      predicate: true,
    });
  }
  return trimmed;
}

const summary = (p: PasskeyRecord): PasskeySummary => ({
  id: p.id,
  name: p.name,
  createdAt: p.createdAt,
  lastUsedAt: p.lastUsedAt,
  backedUp: p.backedUp,
});

// The bindings are stored as digests: the interaction's uid and the browser's binding are handles
// on a sign-in in progress, worth nothing in a copy of the database.
const digest = (binding: string) => createHash('sha256').update(binding).digest('base64url');

/** A browser's answer, as posted: JSON of a bounded size with the fields we read, or undefined. */
function parseResponse<T extends { id: string; response: { clientDataJSON: string } }>(
  posted: string,
): T | undefined {
  if (posted.length === 0 || posted.length > RESPONSE_MAX) return undefined;
  try {
    const value = JSON.parse(posted) as Partial<T> | null;
    if (typeof value?.id !== 'string' || typeof value.response?.clientDataJSON !== 'string') {
      return undefined;
    }
    return value as T;
  } catch {
    return undefined;
  }
}

// The challenge the browser signed, from its client data; undefined when it is not readable.
async function challengeOf(response: {
  response: { clientDataJSON: string };
}): Promise<string | undefined> {
  const [, { decodeClientDataJSON }] = await webauthn();
  try {
    const challenge = decodeClientDataJSON(response.response.clientDataJSON).challenge;
    return typeof challenge === 'string' ? challenge : undefined;
  } catch {
    return undefined;
  }
}

// The signature counter the authenticator reports in this assertion.
async function counterOf(response: AuthenticationResponseJSON): Promise<number | undefined> {
  const [, { isoBase64URL, parseAuthenticatorData }] = await webauthn();
  try {
    return parseAuthenticatorData(isoBase64URL.toBuffer(response.response.authenticatorData))
      .counter;
  } catch {
    return undefined;
  }
}

/**
 * Passkeys (WebAuthn, through @simplewebauthn/server): registration on the account page, and
 * assertions as a second factor or a passwordless sign-in. The relying party is the issuer: its
 * host name is the rpID and its origin the only origin accepted. Every challenge is made here,
 * stored in PostgreSQL bound to the page's interaction or browser and purpose, valid for five
 * minutes and taken once. A passkey's counter must grow (unless the authenticator keeps none:
 * both zero); a use that does not is refused and audited `passkey.counter_regressed`. Registration
 * renaming and removal are audited (`passkey.added`, `passkey.renamed`, `passkey.removed`), and
 * so is each use (`passkey.used`), in the transaction that makes the change. A passkey added by a
 * user with no unused recovery code comes with ten (recovery-codes.ts), and the last second
 * factor removed takes the codes with it, as for authenticator apps.
 *
 * @example
 * const passkeys = createPasskeyService({ db, issuer: 'https://id.example.com', rpName: 'Acme' });
 * const options = await passkeys.registrationOptions(user, binding);
 */
export function createPasskeyService(deps: {
  db: Database;
  /** The issuer URL: the relying party's id (its host name) and origin. */
  issuer: string;
  /** The name an authenticator shows for the site (the brand's). */
  rpName: string;
  /** Milliseconds since the epoch; tests set it. */
  now?: () => number;
}) {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  const issuer = new URL(deps.issuer);
  const rpID = issuer.hostname;
  const origin = issuer.origin;
  const passkeys = createPasskeysRepository(db);

  const handleOf = (userId: string) =>
    passkeys.userHandle(userId, () => randomBytes(32).toString('base64url'));

  // The challenge a page shown again keeps (the same page for the same step, byte for byte,
  // whatever happened in between: a wrong password and a locked account look alike), while it
  // has a minute left and is for the same user; otherwise `fresh`, stored in its place.
  const holdChallenge = (
    binding: string,
    purpose: ChallengePurpose,
    fresh: string,
    userId: string | null,
  ) =>
    passkeys.holdChallenge({
      binding: digest(binding),
      purpose,
      challenge: fresh,
      userId,
      expiresAt: new Date(now() + CHALLENGE_SECONDS * 1000),
      keepUntil: new Date(now() + REUSE_MARGIN_SECONDS * 1000),
    });

  const record = (
    trx: Database,
    type:
      | 'passkey.added'
      | 'passkey.removed'
      | 'passkey.renamed'
      | 'passkey.used'
      | 'passkey.counter_regressed',
    user: { id: string; username?: string },
    details: Record<string, unknown>,
    options: ChangeOptions,
  ) =>
    createAuditRepository(trx).record({
      type,
      actor: actorOf(options),
      subject: user.id,
      details: { ...(user.username ? { username: user.username } : {}), ...details },
    });

  return {
    /** The relying party's id: the issuer's host name. */
    rpID,

    /** The user's passkeys, oldest first. */
    async list(userId: string): Promise<PasskeySummary[]> {
      return (await passkeys.listForUser(userId)).map(summary);
    },

    /**
     * The options of `navigator.credentials.create` for a new passkey of `user`, whose challenge
     * only `binding` (the account page's browser, or the sign-in's interaction) may answer; a
     * page shown again keeps its challenge while it is fresh, as for assertions. A discoverable
     * credential is asked for, so the passkey also signs in without a username.
     */
    async registrationOptions(
      user: Pick<UserRecord, 'id' | 'username'>,
      binding: string,
    ): Promise<PublicKeyCredentialCreationOptionsJSON> {
      const existing = await passkeys.listForUser(user.id);
      const [{ generateRegistrationOptions }, { isoBase64URL }] = await webauthn();
      const options = await generateRegistrationOptions({
        rpName: deps.rpName,
        rpID,
        userName: user.username,
        userID: isoBase64URL.toBuffer(await handleOf(user.id)),
        attestationType: 'none',
        excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
        supportedAlgorithmIDs: ALGORITHMS,
      });
      const challenge = await holdChallenge(binding, 'register', options.challenge, user.id);
      return { ...options, challenge };
    },

    /**
     * Registers the passkey the browser created (`posted`, the credential's JSON) under `name`.
     * A user with no unused recovery code (their first second factor, or every code used) gets
     * ten with it, returned once in `recoveryCodes`: losing the only device then needs no
     * operator. `invalid_input` for a name that is empty or too long, or an answer that does not
     * verify (not for this challenge, this user or this site, or made twice).
     */
    async register(
      user: Pick<UserRecord, 'id' | 'username'>,
      binding: string,
      input: { name: string; posted: string },
      options: ChangeOptions = {},
    ): Promise<AddedPasskey> {
      const name = validName(input.name);
      const refused = () => new AuthServerError('invalid_input', 'the passkey was not created');
      const response = parseResponse<RegistrationResponseJSON>(input.posted);
      const challenge = response && (await challengeOf(response));
      if (!response || !challenge) throw refused();
      const taken = await passkeys.takeChallenge({
        binding: digest(binding),
        purpose: 'register',
        challenge,
      });
      if (taken?.userId !== user.id) throw refused();
      const [{ verifyRegistrationResponse }, { isoBase64URL }] = await webauthn();
      const verified = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
        requireUserVerification: false,
        supportedAlgorithmIDs: ALGORITHMS,
      }).catch(() => undefined);
      if (!verified?.verified) throw refused();
      const info = verified.registrationInfo;
      const id = newId();
      return db.transaction(async (trx) => {
        const added = await createPasskeysRepository(trx).add({
          id,
          userId: user.id,
          name,
          credentialId: info.credential.id,
          publicKey: isoBase64URL.fromBuffer(info.credential.publicKey),
          signCount: info.credential.counter,
          transports: info.credential.transports ?? [],
          aaguid: info.aaguid,
          backupEligible: info.credentialDeviceType === 'multiDevice',
          backedUp: info.credentialBackedUp,
        });
        if (!added) throw refused();
        const codesLeft = await createFactorsRepository(trx).recoveryCodesLeft(user.id);
        const recoveryCodes = codesLeft === 0 ? await issueRecoveryCodes(trx, user.id) : undefined;
        await record(
          trx,
          'passkey.added',
          user,
          {
            factor_id: id,
            name,
            ...(recoveryCodes ? { recovery_codes_issued: recoveryCodes.length } : {}),
          },
          options,
        );
        const stored = await createPasskeysRepository(trx).findByCredentialId(info.credential.id);
        return { ...summary(stored as PasskeyRecord), ...(recoveryCodes ? { recoveryCodes } : {}) };
      });
    },

    /**
     * The options of `navigator.credentials.get`, whose challenge only `binding` (the sign-in's
     * interaction, or the account page's browser) may answer: as the second factor of `userId`
     * (their passkeys), or passwordless (any discoverable passkey; the user must be verified).
     */
    async authenticationOptions(
      binding: string,
      purpose: 'second_factor' | 'passwordless',
      userId?: string,
    ): Promise<PublicKeyCredentialRequestOptionsJSON> {
      const mine = userId && purpose === 'second_factor' ? await passkeys.listForUser(userId) : [];
      const [{ generateAuthenticationOptions }] = await webauthn();
      const options = await generateAuthenticationOptions({
        rpID,
        allowCredentials: mine.map((p) => ({ id: p.credentialId, transports: p.transports })),
        userVerification: purpose === 'passwordless' ? 'required' : 'preferred',
      });
      const challenge = await holdChallenge(binding, purpose, options.challenge, userId ?? null);
      return { ...options, challenge };
    },

    /**
     * The owner of the passkey a posted assertion names, if it is one of ours (read only: the
     * sign-in limits count the attempt under this account before it is checked).
     */
    async ownerOf(posted: string): Promise<string | undefined> {
      const response = parseResponse<AuthenticationResponseJSON>(posted);
      return response && (await passkeys.findByCredentialId(response.id))?.userId;
    },

    /**
     * Checks an assertion (`posted`, the credential's JSON) against the challenge `binding` was
     * given for `purpose`: the passkey must be one of ours, of the user the challenge was made
     * for (second factor) or of the user handle it names (passwordless, with the user verified),
     * signed for this site, with a counter above the one stored. The challenge is used up either
     * way.
     */
    async authenticate(
      binding: string,
      purpose: 'second_factor' | 'passwordless',
      posted: string,
      options: { address?: string } = {},
    ): Promise<PasskeyUse | PasskeyRefusal> {
      const response = parseResponse<AuthenticationResponseJSON>(posted);
      const challenge = response && (await challengeOf(response));
      if (!response || !challenge) return { refused: 'unknown' };
      const taken = await passkeys.takeChallenge({ binding: digest(binding), purpose, challenge });
      const passkey = await passkeys.findByCredentialId(response.id);
      if (!passkey) return { refused: 'unknown' };
      const userId = passkey.userId;
      if (!taken) return { refused: 'challenge', userId };
      const handle = response.response.userHandle;
      const owned =
        purpose === 'second_factor'
          ? taken.userId === userId
          : handle !== undefined && handle === (await handleOf(userId));
      if (!owned) return { refused: 'wrong_user', userId };
      const counter = await counterOf(response);
      if (counter === undefined) return { refused: 'not_verified', userId };
      if ((counter > 0 || passkey.signCount > 0) && counter <= passkey.signCount) {
        // A clone of the authenticator, or an assertion replayed from elsewhere: refused.
        await record(
          db,
          'passkey.counter_regressed',
          { id: userId },
          {
            factor_id: passkey.id,
            stored_count: passkey.signCount,
            presented_count: counter,
            ...(options.address ? { address: options.address } : {}),
          },
          { actor: 'anonymous' },
        );
        return { refused: 'counter', userId };
      }
      const [{ verifyAuthenticationResponse }, { isoBase64URL }] = await webauthn();
      const verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
        credential: {
          id: passkey.credentialId,
          publicKey: isoBase64URL.toBuffer(passkey.publicKey),
          counter: passkey.signCount,
          transports: passkey.transports,
        },
        requireUserVerification: purpose === 'passwordless',
      }).catch(() => undefined);
      if (!verified?.verified) return { refused: 'not_verified', userId };
      const info = verified.authenticationInfo;
      return db.transaction(async (trx) => {
        const moved = await createPasskeysRepository(trx).recordUse(passkey.id, passkey.signCount, {
          toCount: info.newCounter,
          backedUp: info.credentialBackedUp,
        });
        // Another use of the same counter value won the race: this one is the replay.
        if (!moved) return { refused: 'counter', userId } as PasskeyRefusal;
        await record(
          trx,
          'passkey.used',
          { id: userId },
          { factor_id: passkey.id, purpose, user_verified: info.userVerified },
          { actor: `user:${userId}` },
        );
        return { userId, passkeyId: passkey.id, userVerified: info.userVerified };
      });
    },

    /**
     * Renames one of the user's passkeys (audited `passkey.renamed`, with the name before and
     * after); `invalid_input` for a name that is empty, too long or has control characters,
     * `not_found` when the user has no such passkey.
     */
    async rename(
      user: Pick<UserRecord, 'id' | 'username'>,
      id: string,
      name: string,
      options: ChangeOptions = {},
    ): Promise<PasskeySummary> {
      const trimmed = validName(name);
      return db.transaction(async (trx) => {
        const inTrx = createPasskeysRepository(trx);
        const found = (await inTrx.listForUser(user.id)).find((p) => p.id === id);
        if (!found || !(await inTrx.rename(user.id, id, trimmed))) {
          throw new AuthServerError('not_found', 'no such passkey');
        }
        if (found.name !== trimmed) {
          await record(
            trx,
            'passkey.renamed',
            user,
            { factor_id: id, name: trimmed, previous_name: found.name },
            options,
          );
        }
        return summary({ ...found, name: trimmed });
      });
    },

    /**
     * Removes one of the user's passkeys (audited); with the user's last second factor go the
     * recovery codes, as when an app is turned off. `not_found` when the user has no such one.
     */
    async remove(
      user: Pick<UserRecord, 'id' | 'username'>,
      id: string,
      options: ChangeOptions = {},
    ): Promise<void> {
      await db.transaction(async (trx) => {
        const found = (await createPasskeysRepository(trx).listForUser(user.id)).find(
          (p) => p.id === id,
        );
        const factors = createFactorsRepository(trx);
        if (!found || !(await factors.remove(user.id, id))) {
          throw new AuthServerError('not_found', 'no such passkey');
        }
        if (!(await factors.listForUser(user.id)).some((f) => f.confirmedAt)) {
          await factors.removeAll(user.id);
        }
        await record(trx, 'passkey.removed', user, { factor_id: id, name: found.name }, options);
      });
    },
  };
}

/** The service {@link createPasskeyService} returns. */
export type PasskeyService = ReturnType<typeof createPasskeyService>;

/** Whether a passkey check ended in a use (true) or a refusal. */
export const passkeyUsed = (outcome: PasskeyUse | PasskeyRefusal): outcome is PasskeyUse =>
  'passkeyId' in outcome;
