import type { DeclarationPath, DeclarationProblem, DeclaredClient } from './declaration.ts';

type Rule = {
  pattern: RegExp;
  /** The field the message is about, below the entry's path. */
  at: (match: RegExpExecArray, client?: DeclaredClient) => Array<string | number>;
  /** The message in the file's terms. */
  say?: (match: RegExpExecArray) => string;
};

const indexIn = (list: readonly string[] | undefined, value: string | undefined) => {
  const i = value === undefined ? -1 : (list?.indexOf(value) ?? -1);
  return i >= 0 ? [i] : [];
};

// The services speak in the commands' options (`--access-token-ttl ...`); these rules put their
// messages where the file has the value, in the file's terms.
const RULES: readonly Rule[] = [
  {
    pattern: /^--(access|refresh)-token-ttl (.*)$/,
    at: (m) => [`${m[1]}_token_ttl`],
    say: (m) => m[2] ?? '',
  },
  { pattern: /^the access-token lifetime (.*)$/, at: () => ['access_token_ttl'] },
  { pattern: /^the access-token format (.*)$/, at: () => ['access_token_format'] },
  {
    pattern: /^unknown resource "(.*)": register it/,
    at: (m, client) => ['resources', ...indexIn(client?.resources, m[1])],
    say: (m) =>
      `unknown resource "${m[1]}": declare it under resources or register it with \`portcullis resources create\``,
  },
  {
    pattern: /^scope "([^"]*)".* is not defined on the client's resources$/,
    at: (m, client) => ['scopes', ...indexIn(client?.scopes, m[1])],
  },
  {
    pattern: /^authorization_code needs at least one --redirect-uri$/,
    at: () => ['redirect_uris'],
    say: () => 'the authorization_code grant needs at least one redirect URI',
  },
  {
    pattern: /^--redirect-uri is only for (.*)$/,
    at: () => ['redirect_uris'],
    say: (m) => `redirect URIs are only for ${m[1]}`,
  },
  { pattern: /^refresh_token needs /, at: () => ['grants'] },
  {
    pattern: /^at least one --grant is required$/,
    at: () => ['grants'],
    say: () => 'needs at least one grant',
  },
  { pattern: /^a public client /, at: () => ['public'] },
  { pattern: /(already exists|is taken by the resource .*)$/, at: () => ['name'] },
];

const OPTION_KEYS: Readonly<Record<string, string>> = {
  '--grant': 'grants',
  '--redirect-uri': 'redirect_uris',
  '--scope': 'scopes',
  '--resource': 'resources',
  '--format': 'access_token_format',
};

/**
 * A service's error about the entry at `entry`, placed at the field it is about and worded in the
 * file's keys instead of the command's options.
 *
 * @example
 * locateProblem(['clients', 2], '--access-token-ttl must be from 1s to 1d');
 * // { path: ['clients', 2, 'access_token_ttl'], message: 'must be from 1s to 1d' }
 */
export function locateProblem(
  entry: DeclarationPath,
  message: string,
  client?: DeclaredClient,
): DeclarationProblem {
  for (const rule of RULES) {
    const match = rule.pattern.exec(message);
    if (match) {
      return {
        path: [...entry, ...rule.at(match, client)],
        message: rule.say ? rule.say(match) : message,
      };
    }
  }
  return {
    path: entry,
    message: message.replace(/--[a-z-]+/g, (option) => OPTION_KEYS[option] ?? option),
  };
}
