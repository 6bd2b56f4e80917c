/**
 * Where a server's configuration came from: the environment it was loaded from and the data
 * folder (`dev`'s secrets). The doctor judges these, as `portcullis doctor` judges its own.
 */
export interface ServerEnvironment {
  /** The environment the configuration was loaded from (`PORTCULLIS_*` is read). */
  env: Readonly<Record<string, string | undefined>>;
  /** The data folder, whose development secrets `dev` uses and `serve` must not. */
  dataDir: string;
}
