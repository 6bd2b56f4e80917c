import { ADMIN_API_PATH } from '../domain/admin-api.ts';

/** An answer of the admin API: its status, its JSON body (or problem details) and its ETag. */
export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
  etag: string | undefined;
}

/** An admin API problem (RFC 9457) as the console reads it. */
export interface ApiProblem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: Array<{ field?: string; pointer?: string; parameter?: string; detail: string }>;
}

/** The admin API could not be reached, or answered something that is not JSON. */
export class ApiUnreachable extends Error {
  readonly code = 'admin_api_unreachable';
}

/** Seconds to wait for an answer of the API. */
const TIMEOUT_MS = 15_000;

/** One request to the admin API, as {@link createAdminApiClient}'s `call` takes it. */
export interface ApiRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Below /admin/v1: `/clients/abc`. */
  path: string;
  query?: Readonly<Record<string, string | undefined>>;
  body?: unknown;
  ifMatch?: string;
}

/**
 * The console's client of the admin API: plain HTTP to `/admin/v1` on the issuer, with the
 * signed-in operator's access token as `Bearer`. The console is one more client of the API (the
 * same validation, problems, ETags and audit events, the operator as the actor), never a second
 * way into the services. Only the server side calls it: the token never reaches the browser.
 *
 * @example
 * const api = createAdminApiClient(issuer);
 * const { body } = await api.call(token, { path: '/clients', query: { limit: '20' } });
 */
export function createAdminApiClient(issuer: string) {
  const base = new URL(ADMIN_API_PATH, issuer).href;
  return {
    async call<T = unknown>(token: string, request: ApiRequest): Promise<ApiAnswer<T>> {
      const url = new URL(`${base}${request.path}`);
      for (const [name, value] of Object.entries(request.query ?? {})) {
        if (value !== undefined && value !== '') url.searchParams.set(name, value);
      }
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
      };
      if (request.body !== undefined) headers['content-type'] = 'application/json';
      if (request.ifMatch) headers['if-match'] = request.ifMatch;
      let response: Response;
      try {
        response = await fetch(url, {
          method: request.method ?? 'GET',
          headers,
          ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
          redirect: 'error',
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (error) {
        throw new ApiUnreachable(`the admin API did not answer: ${(error as Error).message}`);
      }
      const text = await response.text();
      let body: unknown = null;
      if (text !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          throw new ApiUnreachable(`the admin API answered ${response.status} without JSON`);
        }
      }
      return {
        status: response.status,
        body: body as T,
        etag: response.headers.get('etag') ?? undefined,
      };
    },
  };
}

/** The client {@link createAdminApiClient} returns. */
export type AdminApiClient = ReturnType<typeof createAdminApiClient>;
