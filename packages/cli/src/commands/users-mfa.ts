import type { Command } from 'commander';
import { confirm, interactive } from '../confirm.ts';
import { CliError } from '../errors.ts';
import { loadServices } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import { localOnly } from '../remote/local-only.ts';
import { cliActor, type Io, withDatabase } from '../runtime.ts';

const day = (date: Date | null) => (date ? date.toISOString().slice(0, 19).replace('T', ' ') : '-');

/**
 * `portcullis users mfa show|reset USER`: a user's second factors, authenticator apps and passkeys
 * (never a secret), and removing them all when a user lost their phone and their recovery codes.
 */
export function registerUsersMfa(users: Command, io: Io): void {
  // The admin API has no operations for second factors.
  const mfa = localOnly(users.command('mfa')).description(
    "a user's second factors (authenticator apps, passkeys and recovery codes)",
  );

  mfa
    .command('show')
    .description("show a user's second factors and how many recovery codes are left")
    .argument('<user>', 'user id or username (any case)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis users mfa show alice')
    .action(async (idOrUsername: string, options: { json?: boolean }) => {
      const { createUserFactorsService } = await loadServices();
      const shown = await withDatabase(io, (db) => createUserFactorsService(db).show(idOrUsername));
      if (options.json) {
        return printJson(io, {
          user_id: shown.userId,
          username: shown.username,
          factors: shown.factors.map((f) => ({
            id: f.id,
            kind: f.kind,
            label: f.label,
            enrolled_at: f.confirmedAt?.toISOString() ?? null,
            last_used_at: f.lastUsedAt?.toISOString() ?? null,
          })),
          recovery_codes_left: shown.recoveryCodesLeft,
        });
      }
      printLines(io, [
        `User:                ${shown.username} (${shown.userId})`,
        ...(shown.factors.length === 0
          ? ['Second factors:      none (signs in with the password alone)']
          : shown.factors.map(
              (f) =>
                `Second factor:       ${f.kind} "${f.label}", enrolled ${day(f.confirmedAt)}, last used ${day(f.lastUsedAt)}`,
            )),
        `Recovery codes left: ${shown.recoveryCodesLeft}`,
      ]);
    });

  mfa
    .command('reset')
    .description(
      "remove all of a user's second factors (apps and passkeys) and recovery codes (audited); asks first unless --yes",
    )
    .argument('<user>', 'user id or username (any case)')
    .option('--yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
The user's sessions end (apps with a back-channel logout URI are told); the user then signs in
with the password alone, or sets up an app again at the next sign-in where PORTCULLIS_MFA=required
or the app requires it. Without --yes it asks on the terminal:
exit 1 when not confirmed, exit 2 when stdin is not a terminal (a script must pass --yes).

Example:
  $ portcullis users mfa reset alice --yes`,
    )
    .action(async (idOrUsername: string, options: { yes?: boolean; json?: boolean }) => {
      const { createUserFactorsService } = await loadServices();
      if (!options.yes && !interactive(io)) {
        throw new CliError(
          'refusing to reset without confirmation: stdin is not a terminal, pass --yes',
          2,
        );
      }
      const result = await withDatabase(io, async (db) => {
        const service = createUserFactorsService(db);
        if (options.yes) return service.reset(idOrUsername, { actor: cliActor(io) });
        // Ask about one user, then reset exactly that one (by id).
        const found = await service.show(idOrUsername);
        const question = `Remove every second factor and recovery code of "${found.username}" (${found.userId})? [y/N] `;
        if (!(await confirm(io, question))) throw new CliError('not reset: not confirmed');
        return service.reset(found.userId, { actor: cliActor(io) });
      });
      if (options.json) {
        return printJson(io, {
          user_id: result.userId,
          username: result.username,
          factors_removed: result.factorsRemoved,
          sessions_ended: result.sessionsEnded,
        });
      }
      printLines(io, [
        `removed ${result.factorsRemoved} second factor${result.factorsRemoved === 1 ? '' : 's'} and the recovery codes of "${result.username}"; ${result.sessionsEnded} session${result.sessionsEnded === 1 ? '' : 's'} ended`,
      ]);
    });
}
