import { CliError } from '../errors.ts';
import type { Io } from '../runtime.ts';
import { adminToken } from './admin-token.ts';
import { type Problem, problemError } from './problem-line.ts';

/** What one admin API call answered: its JSON body (if any) and ETag. */
export interface AdminAnswer<T> {
  body: T;
  etag: string | undefined;
}

/** Calls the admin API of one server with one token, got on the first call. */
export interface AdminHttp {
  call<T>(
    method: string,
    path: string,
    options?: { body?: unknown; ifMatch?: string | undefined },
  ): Promise<AdminAnswer<T>>;
}

/**
 * A caller of the admin API at `server` (`/admin/v1`) with a token for `scope` (what the command
 * needs, unless PORTCULLIS_ADMIN_SCOPE says otherwise: admin-token.ts); a refusal becomes the
 * CLI's one-line error (problem-line.ts), an unreachable server one line naming it.
 *
 * @example
 * const { body, etag } = await adminHttp(io, server).call('GET', '/clients/billing');
 * await adminHttp(io, server, 'admin:users').call('GET', '/users/alice');
 */
export function adminHttp(io: Io, server: URL, scope = 'admin:read admin:write'): AdminHttp {
  let token: Promise<string> | undefined;
  const base = new URL('admin/v1', server.href.endsWith('/') ? server : `${server.href}/`);
  return {
    async call<T>(
      method: string,
      path: string,
      options: { body?: unknown; ifMatch?: string | undefined } = {},
    ) {
      token ??= adminToken(io, server, scope);
      const headers: Record<string, string> = { authorization: `Bearer ${await token}` };
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      if (options.ifMatch !== undefined) headers['if-match'] = options.ifMatch;
      let response: Response;
      try {
        response = await fetch(`${base.href}${path}`, {
          method,
          headers,
          ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        });
      } catch (error) {
        const code = (error as { cause?: { code?: unknown } }).cause?.code;
        // Never the token: only the server and the network's code.
        throw new CliError(
          `cannot reach the server at ${server.href}${typeof code === 'string' ? ` (${code})` : ''}`,
        );
      }
      // Off, the API's paths are the server's plain 404s, not problem details.
      if (
        response.status === 404 &&
        response.headers.get('content-type')?.includes('problem') !== true
      ) {
        throw new CliError(
          `the server at ${server.href} has no admin API: start it with PORTCULLIS_ADMIN_API=on`,
        );
      }
      const text = await response.text();
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        throw new CliError(`the server at ${server.href} answered ${response.status}, not JSON`);
      }
      if (!response.ok) {
        const problem = (body ?? {}) as Problem;
        // A token without the scope: the challenge names the one needed (RFC 6750), and the
        // operator asks for it with PORTCULLIS_ADMIN_SCOPE.
        const needed = /\bscope="([^"]*)"/.exec(response.headers.get('www-authenticate') ?? '');
        if (response.status === 403 && needed && problem.detail !== undefined) {
          problem.detail = `${problem.detail} (${needed[1]}: see PORTCULLIS_ADMIN_SCOPE)`;
        }
        throw problemError(problem, response.status);
      }
      return { body: body as T, etag: response.headers.get('etag') ?? undefined };
    },
  };
}
