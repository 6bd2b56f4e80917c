import {
  algorithmList,
  fail,
  integerInRange,
  optionalObject,
  rejectUnknownKeys,
} from '../config/option-checks.ts';
import type { DpopReplayStore } from '../types.ts';

/** DPoP settings after validation. */
export interface ResolvedDpop {
  readonly required: boolean;
  readonly iatWindowSeconds: number;
  readonly algorithms: readonly string[];
  readonly replayCacheSize: number;
  /** Undefined: an in-process cache of `replayCacheSize` entries. */
  readonly replayStore: DpopReplayStore | undefined;
}

const keys = new Set([
  'required',
  'iatWindowSeconds',
  'algorithms',
  'replayCacheSize',
  'replayStore',
]);
const defaultAlgorithms = Object.freeze(['ES256', 'PS256', 'EdDSA', 'Ed25519']);

/**
 * Validates the `dpop` option; undefined when DPoP is off. `publicUrl` must be set with it,
 * because a proof's `htu` is only as trustworthy as the URL it is compared with.
 *
 * @example
 * resolveDpop({ required: true }, 'https://api.example.com');
 */
export function resolveDpop(
  value: unknown,
  publicUrl: string | undefined,
): ResolvedDpop | undefined {
  if (value === undefined) return undefined;
  const options = optionalObject('dpop', value);
  rejectUnknownKeys(options, keys, 'dpop.');
  if (publicUrl === undefined) {
    fail('publicUrl', 'is required with dpop: proofs name the URL they were made for (htu)');
  }
  if (options.required !== undefined && typeof options.required !== 'boolean') {
    fail('dpop.required', 'must be a boolean');
  }
  const store = options.replayStore as DpopReplayStore | undefined;
  if (store !== undefined && typeof store?.markUsed !== 'function') {
    fail('dpop.replayStore', 'must be an object with a markUsed function');
  }
  if (store !== undefined && options.replayCacheSize !== undefined) {
    fail('dpop.replayCacheSize', 'has no effect with dpop.replayStore: set only one');
  }
  return Object.freeze({
    required: (options.required as boolean | undefined) ?? false,
    iatWindowSeconds: integerInRange('dpop.iatWindowSeconds', options.iatWindowSeconds, 60, 1, 300),
    algorithms: algorithmList('dpop.algorithms', options.algorithms, defaultAlgorithms),
    replayCacheSize: integerInRange(
      'dpop.replayCacheSize',
      options.replayCacheSize,
      100_000,
      1,
      10_000_000,
    ),
    replayStore: store,
  });
}
