import {
  createKeysRepository,
  type Database,
  type SigningKeyRecord,
  type StorageError,
} from '@portcullis/storage';
import { AuthServerError } from '../errors.ts';
import { RETIREMENT_POLICY } from './rotation-policy.ts';
import {
  decryptSigningKey,
  ensureActiveKeys,
  generateSigningKey,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
} from './signing-keys.ts';

/** A signing key as operators see it: never its private part. */
export type SigningKeySummary = Omit<
  SigningKeyRecord,
  'privateJwkEncrypted' | 'publicJwk' | 'state'
> & {
  /** `removed`: deleted by this very command (`--now --revoke-old`), no longer published. */
  state: SigningKeyRecord['state'] | 'removed';
  /** Seconds since the key was created, by the database's clock. */
  ageSeconds: number;
};

/** Options shared by both kinds of rotation. */
export interface RotateOptions {
  /** The key-encryption key the servers use; checked against the stored keys first. */
  keyEncryptionKey: Buffer;
  /** Which algorithms to rotate [all of {@link SIGNING_ALGORITHMS}]. */
  algorithms?: readonly SigningAlgorithm[];
  /** Who the audit trail names. */
  actor: string;
}

const summarize = (key: SigningKeyRecord, now: Date): SigningKeySummary => {
  const { privateJwkEncrypted: _, publicJwk: __, ...rest } = key;
  return {
    ...rest,
    ageSeconds: Math.max(0, Math.floor((now.getTime() - key.createdAt.getTime()) / 1000)),
  };
};

function conflictFromStorage(error: unknown): unknown {
  const storage = error as StorageError;
  if (error instanceof Error && storage.name === 'StorageError' && storage.code === 'conflict') {
    return new AuthServerError('conflict', storage.message, { cause: error });
  }
  return error;
}

/**
 * Signing-key operations for the CLI. Rotations need the key-encryption key, and refuse one
 * that does not decrypt the stored keys: a key the servers cannot decrypt would stop them.
 * Running servers see every change through `notifyChange`.
 *
 * @example
 * const keys = createKeysService(db);
 * await keys.rotate({ keyEncryptionKey, propagationSeconds: 3600, actor: 'cli:alice' });
 */
export function createKeysService(db: Database) {
  const keys = createKeysRepository(db);

  /** Creates the first keys if there are none, and proves `kek` decrypts the stored ones. */
  async function prepare(kek: Buffer): Promise<void> {
    const active = await ensureActiveKeys(keys, kek);
    for (const key of active) decryptSigningKey(key, kek);
  }

  const generate = (options: RotateOptions) =>
    Promise.all(
      [...new Set(options.algorithms ?? SIGNING_ALGORITHMS)].map((alg) =>
        generateSigningKey(alg, options.keyEncryptionKey),
      ),
    );

  return {
    /** Every key (next, active, retired) with its age and schedule; no private parts. */
    async list(): Promise<{ keys: SigningKeySummary[]; now: Date }> {
      const { keys: all, now } = await keys.snapshot();
      return { keys: all.map((key) => summarize(key, now)), now };
    },

    /**
     * Staged rotation: publishes a new key per algorithm now, which starts signing after
     * `propagationSeconds`; running servers then retire the old one. Completes any overdue
     * step first; refuses while a staged key is still waiting.
     */
    async rotate(
      options: RotateOptions & { propagationSeconds: number },
    ): Promise<SigningKeySummary[]> {
      await prepare(options.keyEncryptionKey);
      await keys.advance(RETIREMENT_POLICY);
      try {
        const staged = await keys.stage(await generate(options), {
          activatesInSeconds: options.propagationSeconds,
          actor: options.actor,
        });
        const { now } = await keys.snapshot();
        return staged.map((key) => summarize(key, now));
      } catch (error) {
        throw conflictFromStorage(error);
      }
    },

    /**
     * Emergency rotation: a new key per algorithm signs at once. The old one is retired (still
     * published until its tokens expire) or, with `revokeOld`, removed from the JWKS at once.
     */
    async rotateNow(
      options: RotateOptions & { revokeOld: boolean },
    ): Promise<{ activated: SigningKeySummary[]; replaced: SigningKeySummary[] }> {
      await prepare(options.keyEncryptionKey);
      const result = await keys.replace(await generate(options), {
        removeOld: options.revokeOld,
        actor: options.actor,
        policy: RETIREMENT_POLICY,
      });
      const { now } = await keys.snapshot();
      return {
        activated: result.activated.map((key) => summarize(key, now)),
        replaced: result.replaced.map((key) => ({
          ...summarize(key, now),
          ...(options.revokeOld ? { state: 'removed' as const } : {}),
        })),
      };
    },
  };
}

/** The service {@link createKeysService} returns. */
export type KeysService = ReturnType<typeof createKeysService>;
