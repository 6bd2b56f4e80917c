// What a rendering is checked against besides the schemas: what exists outside the manifests.

/** What the rules need to know that the manifests themselves cannot say. */
export interface Expectations {
  /**
   * Secrets that operators create outside the repository (never in it), with their keys: every
   * reference to a Secret must name one of these, or a Secret of the rendering.
   */
  externalSecrets: Record<string, readonly string[]>;
  /** Every PORTCULLIS_ variable the server knows (its configuration schema). */
  settings: readonly string[];
  /** Images must carry a tag or digest (overlays); the base keeps the placeholder `portcullis`. */
  pinnedImages: boolean;
}

/** The Secret every install creates (README): the server's database and its two secrets. */
export const SERVER_SECRET = {
  'portcullis-secrets': ['DATABASE_URL', 'PORTCULLIS_COOKIE_KEYS', 'PORTCULLIS_KEY_ENCRYPTION_KEY'],
} as const;

// Names of variables whose values are secrets: they may only come from a Secret.
const SECRET_NAME =
  /PASSWORD|SECRET|TOKEN|COOKIE_KEYS|ENCRYPTION_KEY|PRIVATE_KEY|CREDENTIAL|DATABASE_URL|_KEY$/i;

/** Whether a variable of this name holds a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Whether a value carries credentials: a URL with a password, or a PEM private key. */
export function carriesCredentials(value: string): boolean {
  return /:\/\/[^/\s:@]+:[^/\s@]+@/.test(value) || /PRIVATE KEY-----/.test(value);
}
