import type { Middleware } from 'koa';
import type { ResolvedOptions } from '../config/resolve-options.ts';
import {
  CredentialsRequiredError,
  isResourceServerError,
  ResourceServerConfigError,
} from '../errors.ts';
import { readBearerToken } from '../http/read-bearer-token.ts';
import { sendError } from '../http/send-error.ts';
import type { AuthenticateOptions, OptionalAuthState } from '../types.ts';
import type { TokenVerifier } from '../verify/create-token-verifier.ts';
import { setRealm } from './realm-state.ts';

function resolveOptional(options: AuthenticateOptions | undefined): boolean {
  if (options === undefined) return false;
  if (typeof options !== 'object' || options === null) {
    throw new ResourceServerConfigError('authenticate', 'options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (key !== 'optional')
      throw new ResourceServerConfigError(`authenticate.${key}`, 'unknown option');
  }
  if (options.optional !== undefined && typeof options.optional !== 'boolean') {
    throw new ResourceServerConfigError('authenticate.optional', 'must be a boolean');
  }
  return options.optional ?? false;
}

/**
 * Creates the Koa middleware behind `rs.authenticate()`: reads the Bearer token, verifies it and
 * sets `ctx.state.auth`, or answers the RFC 6750 error itself without calling `next`. `next` is
 * awaited outside any `try`, so an error thrown downstream is never turned into a 401.
 *
 * @example
 * app.use(createAuthenticate(config, verifier, { optional: true }));
 */
export function createAuthenticate(
  config: ResolvedOptions,
  verifier: TokenVerifier,
  options?: AuthenticateOptions,
): Middleware<OptionalAuthState> {
  const optional = resolveOptional(options);

  return async function authenticate(ctx, next) {
    setRealm(ctx.state, config.realm);
    let auth: OptionalAuthState['auth'];
    try {
      const token = readBearerToken(ctx.req, ctx.querystring, config.maxTokenLength);
      if (token === undefined && !optional) throw new CredentialsRequiredError();
      if (token !== undefined) auth = await verifier.verify(token);
    } catch (error) {
      if (!isResourceServerError(error)) throw error;
      sendError(ctx, error, config.realm);
      return;
    }
    if (auth !== undefined) ctx.state.auth = auth;
    await next();
  };
}
