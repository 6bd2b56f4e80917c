import { formatDuration, parseDuration } from '../domain/duration.ts';

/** How many failures a key may have in a window; one more locks it until a whole window passes. */
export interface LimitRule {
  /** Failures allowed in one window. */
  failures: number;
  /** The window, and the lockout once the limit is passed, in whole seconds. */
  windowSeconds: number;
}

const MAX_FAILURES = 100_000;
const MAX_WINDOW_SECONDS = 86_400;

/**
 * Parses a limit as operators write it: `<failures>/<window>`, the window a duration from 1s to
 * 1d (`10/1m`, `5/15m`), or `off`. Returns `null` for `off` and `undefined` for anything else
 * that is not a limit.
 *
 * @example
 * parseLimitRule('10/1m'); // { failures: 10, windowSeconds: 60 }
 * parseLimitRule('off'); // null
 * parseLimitRule('ten a minute'); // undefined
 */
export function parseLimitRule(value: string): LimitRule | null | undefined {
  const text = value.trim();
  if (text === 'off') return null;
  const match = /^(\d{1,6})\/(\S+)$/.exec(text);
  if (!match) return undefined;
  const failures = Number(match[1]);
  const windowSeconds = parseDuration(match[2] as string);
  if (failures < 1 || failures > MAX_FAILURES) return undefined;
  if (windowSeconds === undefined || windowSeconds < 1 || windowSeconds > MAX_WINDOW_SECONDS) {
    return undefined;
  }
  return { failures, windowSeconds };
}

/**
 * Writes a rule back in the form {@link parseLimitRule} reads, for audit events and logs.
 *
 * @example
 * formatLimitRule({ failures: 10, windowSeconds: 60 }); // '10/1m'
 */
export function formatLimitRule(rule: LimitRule): string {
  return `${rule.failures}/${formatDuration(rule.windowSeconds)}`;
}

/** The brute-force limits; `null` turns one off. */
export interface LimitsConfig {
  /** Failed client authentications per client id. */
  clientAuth: LimitRule | null;
  /** Failed client authentications per address. */
  clientAuthAddress: LimitRule | null;
  /** Failed sign-ins per account (the username as typed, trimmed, in any case). */
  signIn: LimitRule | null;
  /** Failed sign-ins per address. */
  signInAddress: LimitRule | null;
  /** Wrong device-flow user codes from every address together. */
  deviceCode: LimitRule | null;
  /** Wrong device-flow user codes per address. */
  deviceCodeAddress: LimitRule | null;
  /** Open sign-up requests per e-mail address typed. */
  signup: LimitRule | null;
  /** Open sign-up requests per browser address. */
  signupAddress: LimitRule | null;
  /** Dynamic registrations without an initial access token per address. */
  registrationAddress: LimitRule | null;
}
