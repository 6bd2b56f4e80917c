import { randomBytes } from 'node:crypto';
import { createArtifactsRepository, type Database } from '@portcullis/storage';
import type { ConsoleSessionLimits } from '../domain/admin-console.ts';
import { artifactDigest, openFields, sealFields, sealKeyOf } from '../secrets/artifact-secrets.ts';

/** What a signed-in console keeps on the server: never sent to the browser. */
export interface ConsoleSession {
  /** The operator's access token for the admin API (`urn:portcullis:admin`). */
  accessToken: string;
  /** The scopes the token carries (what the operator's roles allow). */
  scopes: string[];
  /** The user the token was issued for (`sub`). */
  subject: string;
  /** Their username, when the token may read users (`admin:users`); else the header shows `subject`. */
  username?: string;
  /** The ID token, as `id_token_hint` when signing out of Portcullis too. */
  idToken?: string;
  /** The refresh token (rotated at each use) that renews `accessToken` before it expires. */
  refreshToken?: string;
  /** When `accessToken` expires, in seconds since the epoch. */
  expiresAt: number;
  /** When the operator signed in, in seconds since the epoch: the absolute lifetime counts from it. */
  startedAt: number;
}

/** What the sign-in's callback must check, kept here between its two legs (never in a URL). */
export interface PendingSignIn {
  state: string;
  nonce: string;
  /** PKCE's code verifier (RFC 7636, S256). */
  verifier: string;
  /** The console path to show once signed in. */
  returnTo: string;
}

const SESSION_MODEL = 'AdminConsoleSession';
const SIGN_IN_MODEL = 'AdminConsoleSignIn';
/** A pending sign-in is abandoned after ten minutes. */
const SIGN_IN_TTL_SECONDS = 600;
// 32 random bytes, base64url: what every id this store hands out looks like.
const ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * The console's server-side sessions (the BFF pattern: the browser holds only a random id in a
 * cookie), kept in the table of oidc-provider's artifacts, so that every replica and worker sees
 * them and the janitor deletes them once expired. Stored as artifacts are: under the SHA-256 of
 * the id, their content sealed (AES-256-GCM) with a key derived from the id itself, so the
 * database alone yields no usable token. A session's row expires after `idleSeconds` without a
 * request (each request moves it: {@link touch}), and never later than `maxSeconds` after the
 * sign-in, which {@link find} checks too.
 *
 * @example
 * const sessions = createConsoleSessions(db, { idleSeconds: 1800, maxSeconds: 36_000 });
 * const id = await sessions.start(session);
 * await sessions.find(id); // the session, until it expires
 */
export function createConsoleSessions(
  db: Database,
  limits: ConsoleSessionLimits,
  now: () => number = () => Date.now() / 1000,
) {
  const artifacts = createArtifactsRepository(db);

  const write = async (model: string, id: string, fields: object, ttlSeconds: number) => {
    const sealed = sealFields(sealKeyOf(id), { ...fields });
    await artifacts.upsert(model, artifactDigest(id), { sealed }, Math.max(1, ttlSeconds));
  };
  const put = async (model: string, fields: object, ttlSeconds: number): Promise<string> => {
    const id = randomBytes(32).toString('base64url');
    await write(model, id, fields, ttlSeconds);
    return id;
  };

  const open = async (model: string, id: unknown): Promise<Record<string, unknown> | undefined> => {
    if (typeof id !== 'string' || !ID.test(id)) return undefined;
    const found = await artifacts.find(model, artifactDigest(id));
    return found ? openFields(sealKeyOf(id), found.payload.sealed) : undefined;
  };

  // Seconds the session may still last: the idle timeout, or what is left of its lifetime.
  const ttlOf = (session: ConsoleSession) =>
    Math.min(limits.idleSeconds, Math.floor(session.startedAt + limits.maxSeconds - now()));

  return {
    /** Starts a session (its `startedAt` set to now); returns its id. */
    async start(session: Omit<ConsoleSession, 'startedAt'>): Promise<string> {
      const started = { ...session, startedAt: Math.floor(now()) };
      return put(SESSION_MODEL, started, ttlOf(started));
    },

    /** The live session of `id` (a cookie's value), or undefined (ended, idle, or too old). */
    async find(id: unknown): Promise<ConsoleSession | undefined> {
      const fields = await open(SESSION_MODEL, id);
      if (!fields || typeof fields.accessToken !== 'string') return undefined;
      const session = fields as unknown as ConsoleSession;
      return ttlOf(session) > 0 ? session : undefined;
    },

    /** Records a request: the idle timeout starts again (within the lifetime). */
    async touch(id: string, session: ConsoleSession): Promise<boolean> {
      const ttl = ttlOf(session);
      return ttl > 0 && artifacts.extend(SESSION_MODEL, artifactDigest(id), ttl);
    },

    /** Replaces the session's tokens (a refresh), under the same id. */
    async renew(id: string, session: ConsoleSession): Promise<void> {
      const ttl = ttlOf(session);
      if (ttl > 0) await write(SESSION_MODEL, id, session, ttl);
    },

    /** Ends the session of `id` (signing out, or a token the API no longer accepts). */
    async end(id: string): Promise<void> {
      if (ID.test(id)) await artifacts.destroy(SESSION_MODEL, artifactDigest(id));
    },

    /** Keeps a sign-in's checks until its callback; returns the id the browser's cookie holds. */
    begin: (pending: PendingSignIn) => put(SIGN_IN_MODEL, pending, SIGN_IN_TTL_SECONDS),

    /** The pending sign-in of `id`, taken once: a second callback with it finds nothing. */
    async take(id: unknown): Promise<PendingSignIn | undefined> {
      const fields = await open(SIGN_IN_MODEL, id);
      if (!fields || typeof id !== 'string') return undefined;
      const first = await artifacts.consumeAndUpsert(
        [{ model: SIGN_IN_MODEL, id: artifactDigest(id) }],
        [],
      );
      return first ? (fields as unknown as PendingSignIn) : undefined;
    },
  };
}

/** The store {@link createConsoleSessions} returns. */
export type ConsoleSessions = ReturnType<typeof createConsoleSessions>;
