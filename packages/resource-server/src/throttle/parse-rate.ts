import { fail } from '../config/option-checks.ts';

/** A parsed rate: at most `limit` requests per `windowMs`. */
export interface Rate {
  readonly limit: number;
  readonly windowMs: number;
}

const units: ReadonlyArray<readonly [number, readonly string[]]> = [
  [1_000, ['s', 'sec', 'secs', 'second', 'seconds']],
  [60_000, ['m', 'min', 'mins', 'minute', 'minutes']],
  [3_600_000, ['h', 'hour', 'hours']],
  [86_400_000, ['d', 'day', 'days']],
];
const unitMs = new Map(units.flatMap(([ms, names]) => names.map((name) => [name, ms] as const)));

const ratePattern = /^(\d+)\/(\d*)([a-z]+)$/;

/**
 * Parses a DRF-style rate: `<requests>/<unit>` or `<requests>/<n><unit>`, unit one of `s`,
 * `sec`, `second`, `m`, `min`, `minute`, `h`, `hour`, `d`, `day` (plural allowed). Throws a
 * `ResourceServerConfigError` for `key` on anything else.
 *
 * @example
 * parseRate('throttle.rate', '100/min'); // { limit: 100, windowMs: 60000 }
 * parseRate('throttle.rate', '5/15min'); // { limit: 5, windowMs: 900000 }
 */
export function parseRate(key: string, value: unknown): Rate {
  const match = typeof value === 'string' ? ratePattern.exec(value.trim()) : null;
  const unit = match === null ? undefined : unitMs.get(match[3]!);
  if (match === null || unit === undefined) {
    fail(key, 'must look like "100/min", "10/s", "1000/hour", "5/15min" or "10000/day"');
  }
  const limit = Number(match[1]);
  const multiplier = match[2] === '' ? 1 : Number(match[2]);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1_000_000_000) {
    fail(key, 'the number of requests must be from 1 to 1000000000');
  }
  const windowMs = multiplier * unit;
  if (multiplier < 1 || windowMs > 31 * 86_400_000) {
    fail(key, 'the period must be from 1 second to 31 days');
  }
  return Object.freeze({ limit, windowMs });
}
