import type { ConsoleSessionLimits } from '../domain/admin-console.ts';
import { parseDuration } from '../domain/duration.ts';
import { AuthServerError } from '../errors.ts';
import { SETTING } from './settings.ts';

// A day: longer than any working session, and the refresh token it keeps must not outlive it by much.
const LONGEST = 86_400;

function parseLimit(
  value: string | undefined,
  name: 'PORTCULLIS_CONSOLE_IDLE_TIMEOUT' | 'PORTCULLIS_CONSOLE_MAX_SESSION',
): number {
  if (value === undefined || value.trim() === '') return SETTING[name].value;
  const seconds = parseDuration(value);
  if (seconds === undefined || seconds < 1 || seconds > LONGEST) {
    throw new AuthServerError(
      'config_invalid',
      `${name} must be a duration from 1s to 1d (like 30m or 10h), got "${value.slice(0, 40)}"`,
      { setting: name },
    );
  }
  return seconds;
}

/**
 * Reads the console sessions' idle timeout and absolute lifetime. An idle timeout longer than
 * the lifetime is refused rather than silently capped: one of the two is a mistake.
 *
 * @example
 * parseConsoleSessions({}); // { idleSeconds: 1800, maxSeconds: 36000 }
 */
export function parseConsoleSessions(env: NodeJS.ProcessEnv): ConsoleSessionLimits {
  const idleSeconds = parseLimit(
    env.PORTCULLIS_CONSOLE_IDLE_TIMEOUT,
    'PORTCULLIS_CONSOLE_IDLE_TIMEOUT',
  );
  const maxSeconds = parseLimit(
    env.PORTCULLIS_CONSOLE_MAX_SESSION,
    'PORTCULLIS_CONSOLE_MAX_SESSION',
  );
  if (idleSeconds > maxSeconds) {
    throw new AuthServerError(
      'config_invalid',
      `PORTCULLIS_CONSOLE_IDLE_TIMEOUT (${env.PORTCULLIS_CONSOLE_IDLE_TIMEOUT ?? SETTING.PORTCULLIS_CONSOLE_IDLE_TIMEOUT.default}) must not be longer than PORTCULLIS_CONSOLE_MAX_SESSION (${env.PORTCULLIS_CONSOLE_MAX_SESSION ?? SETTING.PORTCULLIS_CONSOLE_MAX_SESSION.default})`,
      { setting: 'PORTCULLIS_CONSOLE_IDLE_TIMEOUT' },
    );
  }
  return { idleSeconds, maxSeconds };
}
