import { generateServerSecrets } from '@portcullis/auth-server/config';
import type { Command } from 'commander';
import { printJson, printLines } from '../output.ts';
import type { Io } from '../runtime.ts';

/**
 * `portcullis secrets generate`: new values for `serve`'s two secrets, as `.env` lines
 * (`NAME=value`) or, with `--json`, one object keyed by the variables' names. They are made by
 * the rules `serve` checks (generateServerSecrets), and nothing is read or written: no database,
 * no data folder.
 */
export function registerSecretsGenerate(secrets: Command, io: Io): void {
  secrets
    .command('generate')
    .description(
      'print new PORTCULLIS_COOKIE_KEYS and PORTCULLIS_KEY_ENCRYPTION_KEY values as .env lines',
    )
    .option('--json', 'print them as one JSON object keyed by variable name')
    .addHelpText(
      'after',
      `
Each value is 256 random bits as base64url; nothing is stored and no database is needed. Every
replica must get the same values. Keep the key-encryption key as long as the database: the
signing keys are stored encrypted under it, and \`serve\` cannot start with another one.

Examples:
  $ portcullis secrets generate >> .env
  $ portcullis secrets generate --json    # {"PORTCULLIS_COOKIE_KEYS": "...", ...}
  $ docker run --rm portcullis:local secrets generate >> .env`,
    )
    .action((options: { json?: boolean }) => {
      const generated = generateServerSecrets();
      const values = {
        PORTCULLIS_COOKIE_KEYS: generated.cookieKeys.join(','),
        PORTCULLIS_KEY_ENCRYPTION_KEY: generated.keyEncryptionKey,
      };
      if (options.json) printJson(io, values);
      else
        printLines(
          io,
          Object.entries(values).map(([name, value]) => `${name}=${value}`),
        );
    });
}
