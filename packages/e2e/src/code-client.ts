import type { Stack } from './stack.ts';

/**
 * Registers an authorization-code client of the stack's API through the CLI: confidential
 * unless `args` say `--public`; `args` add options (`--first-party`, `--require-par`...).
 *
 * @example
 * const app = await createCodeClient(stack, 'notes app', REDIRECT, 'openid notes:read', ['--first-party']);
 */
export function createCodeClient(
  stack: Stack,
  name: string,
  redirectUri: string,
  scope: string,
  args: string[] = [],
): Promise<{ client_id: string; client_secret: string }> {
  return stack.cli([
    'clients',
    'create',
    '--name',
    name,
    '--grant',
    'authorization_code',
    '--redirect-uri',
    redirectUri,
    '--resource',
    stack.api,
    '--scope',
    scope,
    ...args,
  ]);
}
