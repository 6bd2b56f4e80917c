/** How much a finding matters: `error` fails `doctor`, `warning` fails it with `--strict`. */
export type Severity = 'error' | 'warning' | 'info';

/** Every severity, most severe first. */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** What a finding is about. */
export interface FindingSubject {
  kind:
    | 'setting'
    | 'server'
    | 'schema'
    | 'client'
    | 'client-secret'
    | 'resource'
    | 'signing-key'
    | 'registration-token'
    | 'identity-provider';
  /**
   * The setting's name, the client's id, the secret's name, the resource's identifier, the kid,
   * the initial access token's id, the identity provider's id.
   */
  id: string;
  /** The client a secret belongs to. */
  clientId?: string;
  /** Something readable beside the id: a client's or resource's name, a key's algorithm. */
  label?: string;
}

/** One thing `portcullis doctor` found. */
export interface Finding {
  /** Stable identifier of the check, like `issuer-not-https`: scripts may match on it. */
  id: string;
  severity: Severity;
  subject: FindingSubject;
  /** One sentence: what is wrong and why, citing RFC 9700, another RFC or docs/security.md. */
  reason: string;
  /**
   * The exact `portcullis ...` command that fixes it, or the `VARIABLE=value` to set in the
   * server's environment; null when no command can (the reason then says what to do).
   */
  fix: string | null;
}

/**
 * Orders findings for reading: errors first, then by check id, then by subject.
 *
 * @example
 * findings.sort(compareFindings);
 */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
    a.id.localeCompare(b.id) ||
    (a.subject.clientId ?? '').localeCompare(b.subject.clientId ?? '') ||
    a.subject.id.localeCompare(b.subject.id)
  );
}

/**
 * Quotes a command-line argument for a POSIX shell when it needs it, so a fix can be pasted.
 *
 * @example
 * shellQuote('billing'); // billing
 * shellQuote("it's"); // 'it'\''s'
 */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
