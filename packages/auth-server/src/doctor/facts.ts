import type {
  ClientRecord,
  ClientSecretRecord,
  IdentityProviderRecord,
  MigrationStatus,
  RegistrationTokenRecord,
  ResourceRecord,
  SigningKeyRecord,
} from '@portcullis/storage';
import type { DevSecrets } from '../config/server-config.ts';

/** Which configuration `doctor` judges: `serve`'s (production) or `dev`'s. */
export type DoctorMode = 'production' | 'development';

/** The server configuration as `serve` (or `dev`) would read it. */
export interface ConfigurationFacts {
  mode: DoctorMode;
  /** The environment the server reads (`PORTCULLIS_*`). */
  env: Readonly<Record<string, string | undefined>>;
  /** The development secrets in the data folder, when the file exists (doctor never creates it). */
  devSecrets: DevSecrets | undefined;
}

/** What the server's own oidc-provider configuration answered when asked (see probeServerPolicy). */
export interface ServerPolicyFacts {
  responseTypes: string[];
  grantTypes: string[];
  codeChallengeMethods: string[];
  tokenEndpointAuthMethods: string[];
  /** Every algorithm the discovery document offers for signing anything. */
  signingAlgorithms: string[];
  /** The error an authorization request without `code_challenge` got; undefined: accepted. */
  missingChallengeError: string | undefined;
  /** Where discovery says authorization requests are pushed (RFC 9126); undefined: nowhere. */
  pushedAuthorizationRequestEndpoint: string | undefined;
  /** Whether discovery offers request objects (JAR, RFC 9101: `request_parameter_supported`). */
  requestObjects: boolean;
}

/** A client's secret, without its hash. */
export type SecretFacts = Omit<ClientSecretRecord, 'secretHash'>;

/** What a `private_key_jwt` client's `jwks_uri` answered: its usable keys, or why none came. */
export type PublishedKeysFacts = { usableKeys: number } | { error: string };

/** A registered client and its secrets. */
export interface ClientFacts {
  client: ClientRecord;
  secrets: SecretFacts[];
  /**
   * How its back-channel logout URI answered doctor's POST: `{}` when it did, `error` when it did
   * not; absent when it has none or is disabled (nobody signs in to it).
   */
  logoutReceiver?: { error?: string };
  /** For an enabled client with a `jwks_uri`: what fetching it gave. */
  publishedKeys?: PublishedKeysFacts;
}

/** A signing key, without its private part. */
export type SigningKeyFacts = Omit<SigningKeyRecord, 'privateJwkEncrypted' | 'publicJwk'> & {
  /** Whether the configured key-encryption key decrypts it; undefined when there is none to try. */
  decrypts: boolean | undefined;
};

/** An initial access token for dynamic registration, without its digest. */
export type RegistrationTokenFacts = Omit<RegistrationTokenRecord, 'tokenHash'>;

/** A "Sign in with" provider, without its encrypted client secret. */
export type IdentityProviderFacts = Omit<IdentityProviderRecord, 'clientSecretEncrypted'> & {
  /** Whether the configured key-encryption key decrypts its secret; undefined: no key to try. */
  decrypts: boolean | undefined;
};

/** What the database holds; only read when the schema is current. */
export interface DatabaseFacts {
  clients: ClientFacts[];
  registrationTokens: RegistrationTokenFacts[];
  identityProviders: IdentityProviderFacts[];
  resources: ResourceRecord[];
  keys: SigningKeyFacts[];
}

/** Everything the checks look at: loaded once, then judged by pure functions. */
export interface DoctorFacts {
  /** The database's clock: ages are measured in it, as the servers measure them. */
  now: Date;
  configuration: ConfigurationFacts;
  /** The server's protocol policy, or why it could not be asked. */
  policy: ServerPolicyFacts | { error: string };
  migrations: MigrationStatus;
  /** Undefined when the schema is behind the code (the tables may not match). */
  database: DatabaseFacts | undefined;
}
