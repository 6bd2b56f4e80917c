import { AuthServerError } from '../errors.ts';

const SETTING_NAME = 'PORTCULLIS_REGISTRATION_OPEN_RESOURCES';

function invalid(message: string): AuthServerError {
  return new AuthServerError('config_invalid', `${SETTING_NAME}: ${message}`, {
    setting: SETTING_NAME,
  });
}

/**
 * Reads PORTCULLIS_REGISTRATION_OPEN_RESOURCES: the resource identifiers (absolute http or https
 * URLs without a fragment, separated by spaces) that a client registering with no initial access
 * token gets; unset or empty: none, and open registration is off. It needs dynamic registration
 * on (`registration`), or the server refuses to start rather than ignore it.
 *
 * @example
 * parseOpenRegistration('https://mcp.example.com/mcp', true); // ['https://mcp.example.com/mcp']
 */
export function parseOpenRegistration(
  value: string | undefined,
  registration: boolean,
): readonly string[] {
  const identifiers = (value ?? '').split(/\s+/).filter((item) => item !== '');
  if (identifiers.length === 0) return [];
  if (!registration) throw invalid('needs PORTCULLIS_REGISTRATION=on');
  for (const identifier of identifiers) {
    let url: URL | undefined;
    try {
      url = new URL(identifier);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || identifier.includes('#')) {
      throw invalid(
        `"${identifier.slice(0, 100)}" is not an absolute http(s) URL without a fragment`,
      );
    }
  }
  return [...new Set(identifiers)];
}
