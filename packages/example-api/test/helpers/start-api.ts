import {
  type ExampleApiOptions,
  type RunningExampleApi,
  startExampleApi,
} from '../../src/index.ts';
import { startTestIssuer, type TestIssuer } from './test-issuer.ts';

/** The contract's resource identifier for the example API. */
export const AUDIENCE = 'http://localhost:4000';

/** An issuer and an API trusting it, each on its own free port. */
export interface TestStack {
  readonly issuer: TestIssuer;
  readonly api: RunningExampleApi;
  close(): Promise<void>;
}

/**
 * Starts a fake issuer and an example API that discovers its keys (the default set-up of
 * `portcullis dev`), with `options` added to the API's. Each test starts its own, so notes never
 * leak between tests.
 */
export async function startStack(
  options: Omit<ExampleApiOptions, 'issuer' | 'audience'> = {},
): Promise<TestStack> {
  const issuer = await startTestIssuer();
  const api = await startExampleApi({
    ...options,
    issuer: issuer.url,
    audience: AUDIENCE,
    port: 0,
  });
  return {
    issuer,
    api,
    close: async () => {
      await api.close();
      await issuer.close();
    },
  };
}
