import type { SigningAlgorithm } from '@portcullis/auth-server';
import {
  DEFAULT_PROPAGATION_SECONDS,
  keyJson,
  parseDuration,
  SIGNING_ALGORITHMS,
} from '@portcullis/auth-server/config';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { keysBackend } from '../backends/select-keys.ts';
import { CliError } from '../errors.ts';
import { roughly } from '../format/keys.ts';
import { printJson, printLines, warn } from '../output.ts';
import type { Io } from '../runtime.ts';

interface Options {
  alg?: SigningAlgorithm[];
  propagation?: number;
  now?: boolean;
  revokeOld?: boolean;
  json?: boolean;
}

const MAX_PROPAGATION_SECONDS = 30 * 86_400;
// @portcullis/resource-server (and jose) keep a fetched JWKS this long by default.
const RESOURCE_SERVER_CACHE_SECONDS = 600;

function parsePropagation(value: string): number {
  const seconds = parseDuration(value);
  if (seconds === undefined || seconds < 1 || seconds > MAX_PROPAGATION_SECONDS) {
    throw new InvalidArgumentError('expected a duration from 1s to 30d, such as 90s, 15m or 1h');
  }
  return seconds;
}

/** `portcullis keys rotate`: a staged rotation, or with `--now` an emergency one. */
export function registerKeysRotate(keys: Command, io: Io): void {
  keys
    .command('rotate')
    .description(
      'rotate the signing keys: the new key is published first and signs after --propagation; the old one stays published until its tokens expire',
    )
    .addOption(
      new Option('--alg <alg...>', 'rotate only these algorithms [all]').choices(
        SIGNING_ALGORITHMS,
      ),
    )
    .option(
      '--propagation <duration>',
      'how long the new key is published before it signs (90s, 15m, 1h; at most 30d) [1h]',
      parsePropagation,
    )
    .option(
      '--now',
      'emergency: the new key signs at once (resource servers may briefly reject it)',
    )
    .option(
      '--revoke-old',
      'with --now: remove the old key from the JWKS at once; every token it signed stops verifying',
    )
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Examples:
  $ portcullis keys rotate                        # staged: signs in 1 hour
  $ portcullis keys rotate --propagation 15m --alg ES256
  $ portcullis keys rotate --now --revoke-old     # the old key leaked`,
    )
    .action(async (options: Options) => {
      if (options.revokeOld && !options.now) throw new CliError('--revoke-old goes with --now', 2);
      if (options.now && options.propagation !== undefined) {
        throw new CliError('--propagation and --now exclude each other', 2);
      }
      const keys = await keysBackend(io);

      if (options.now) {
        const result = await keys.rotateNow({
          algorithms: options.alg,
          revokeOld: options.revokeOld === true,
        });
        if (options.json) {
          return printJson(io, {
            activated: result.activated.map(keyJson),
            replaced: result.replaced.map(keyJson),
          });
        }
        return printLines(io, [
          ...result.activated.map((key) => `${key.alg} key ${key.kid} signs now`),
          ...result.replaced.map((key) =>
            key.state === 'removed'
              ? `${key.alg} key ${key.kid} removed from the JWKS: tokens it signed no longer verify`
              : `${key.alg} key ${key.kid} retired: published until ${key.removesAt?.toISOString()}`,
          ),
        ]);
      }

      const propagationSeconds = options.propagation ?? DEFAULT_PROPAGATION_SECONDS;
      if (propagationSeconds < RESOURCE_SERVER_CACHE_SECONDS) {
        warn(
          io,
          `resource servers cache the JWKS for 10 minutes by default; one that has not refetched it within ${roughly(propagationSeconds)} rejects tokens from the new key until it does`,
        );
      }
      const staged = await keys.rotate({ algorithms: options.alg, propagationSeconds });
      if (options.json) {
        return printJson(io, {
          staged: staged.map(keyJson),
          propagation_seconds: propagationSeconds,
        });
      }
      printLines(io, [
        ...staged.map(
          (key) =>
            `${key.alg} key ${key.kid} published now; it signs from ${key.activatesAt?.toISOString()} (in ${roughly(propagationSeconds)})`,
        ),
        'Running servers switch to it then and keep the old key published until its tokens expire (see `portcullis keys list`).',
      ]);
    });
}
