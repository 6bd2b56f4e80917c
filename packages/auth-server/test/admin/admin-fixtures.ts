import type { TestDatabase } from '@portcullis/storage/testing';
import * as client from 'openid-client';
import { ADMIN_RESOURCE, type AdminScope, createAdminClient } from '../../src/index.ts';
import { startAuthServer } from '../helpers.ts';

/** A server with the admin API on, on the test's database. */
export async function startAdminServer(database: TestDatabase, env: Record<string, string> = {}) {
  const started = await startAuthServer(database, { PORTCULLIS_ADMIN_API: 'on', ...env });
  return { ...started, api: `${started.url}/admin/v1` };
}

/**
 * An admin client registered as `portcullis admin create-client` does, and a function that gets
 * it access tokens through openid-client's client-credentials grant (a real OAuth client).
 */
export async function adminClient(
  database: TestDatabase,
  issuer: string,
  scopes: AdminScope[],
  name = `admin-${scopes.join('-')}-${Math.random().toString(36).slice(2, 8)}`,
) {
  const created = await createAdminClient(database.db, { name, scopes }, { actor: 'cli:test' });
  const config = await client.discovery(
    new URL(issuer),
    created.client.id,
    undefined,
    client.ClientSecretBasic(created.clientSecret as string),
    { execute: [client.allowInsecureRequests] },
  );
  return {
    clientId: created.client.id,
    /** A fresh access token for the admin resource with `scope` (all the client's by default). */
    token: async (scope = scopes.join(' ')) =>
      (await client.clientCredentialsGrant(config, { scope, resource: ADMIN_RESOURCE }))
        .access_token,
  };
}

/** A request to the admin API with a Bearer token (and JSON body, headers) as given. */
export async function adminFetch(
  api: string,
  path: string,
  init: { token?: string; method?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${api}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body !== undefined
      ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }
      : {}),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON responses field by field
  const json: any = text === '' ? undefined : JSON.parse(text);
  return { response, json };
}
