import { readKeyEncryptionKey } from '../key-encryption-key.ts';
import { loadServices } from '../lazy.ts';
import { cliActor, type Io, withDatabase } from '../runtime.ts';
import type { ApplyBackend } from './apply-backend.ts';

/**
 * The local back end of `apply`: the declaration parsed and applied on the database in one
 * transaction. Identity providers' client secrets are read from the environment variables the
 * file names and stored under the key-encryption key, read only when the file declares one.
 *
 * @example
 * const { result } = await localApply(io).run(value, { dryRun: true, prune: false });
 */
export function localApply(io: Io): ApplyBackend {
  return {
    async run(value, how) {
      const { applyDeclaration, applyResultJson, destructiveChanges, parseDeclaration } =
        await loadServices();
      const { declaration, problems } = parseDeclaration(value);
      const keyEncryptionKey =
        declaration.identityProviders.length > 0
          ? await readKeyEncryptionKey(
              io,
              "identity providers' client secrets are stored encrypted under it",
            )
          : undefined;
      const result = await withDatabase(io, (db) =>
        applyDeclaration(db, declaration, {
          problems,
          prune: how.prune,
          actor: cliActor(io),
          environment: io.env,
          ...(keyEncryptionKey ? { keyEncryptionKey } : {}),
          ...(how.dryRun ? { dryRun: true } : {}),
          ...(how.confirmedDeletions ? { confirmedDeletions: how.confirmedDeletions } : {}),
        }),
      );
      return { result: applyResultJson(result), deletions: destructiveChanges(result) };
    },
  };
}
