import type { ClientJson, SecretJson } from '@portcullis/auth-server/config';
import type { ClientFields } from '@portcullis/storage';
import { CliError } from '../errors.ts';
import { type AdminHttp, adminHttp } from '../remote/admin-http.ts';
import { allPages, versionedReads } from '../remote/admin-reads.ts';
import { clientBody } from '../remote/client-body.ts';
import { clientRecord, secretSummary } from '../remote/client-record.ts';
import type { Io } from '../runtime.ts';
import type { ClientsBackend } from './clients-backend.ts';

// The service field of each name the API reports in `changed` (CLIENT_FIELD_NAMES reversed).
const FIELD_OF: Readonly<Record<string, keyof ClientFields>> = {
  name: 'name',
  grant_types: 'grantTypes',
  redirect_uris: 'redirectUris',
  web_origins: 'webOrigins',
  dpop_bound_access_tokens: 'dpopBoundAccessTokens',
  require_pushed_authorization_requests: 'requirePushedAuthorizationRequests',
  require_mfa: 'requireMfa',
  backchannel_logout_uri: 'backchannelLogoutUri',
  backchannel_logout_session_required: 'backchannelLogoutSessionRequired',
  scope: 'scopes',
  resources: 'resources',
  may_exchange_for: 'mayExchangeFor',
  public: 'isPublic',
  token_endpoint_auth_method: 'tokenEndpointAuthMethod',
  jwks: 'jwks',
  jwks_uri: 'jwksUri',
  first_party: 'firstParty',
  homepage: 'clientUri',
  logo_uri: 'logoUri',
  access_token_ttl: 'accessTokenTtl',
  refresh_token_ttl: 'refreshTokenTtl',
};

interface Shown {
  client: ClientJson;
  secrets: SecretJson[];
}

const path = (idOrName: string) => `/clients/${encodeURIComponent(idOrName)}`;

/**
 * The remote back end of the `clients` commands: the admin API at `server`. Every change is
 * conditional on the version last read of the client (If-Match): its own read, or the one a
 * confirmation was asked about, so a change made meanwhile by someone else is refused (412)
 * and reported in one line, never overwritten.
 *
 * @example
 * await remoteClients(io, new URL('https://auth.example.com')).disable('billing');
 */
export function remoteClients(io: Io, server: URL): ClientsBackend {
  const http: AdminHttp = adminHttp(io, server);
  const clients = versionedReads<Shown>(http, path, (body) => body.client.client_id);
  const read = clients.read;
  // The version to change: the one read before (by id), or a fresh read.
  const version = async (idOrName: string) => {
    const { id, etag, body } = await clients.version(idOrName);
    return { id, etag, shown: body };
  };
  const shown = (body: Shown) => ({
    client: clientRecord(body.client),
    secrets: body.secrets.map(secretSummary),
  });

  return {
    async list() {
      const all = await allPages<ClientJson>(http, '/clients');
      // In the local mode's order (the clients service's): by creation, then id.
      const order = (c: ClientJson) => `${c.created_at} ${c.client_id}`;
      return all.sort((a, b) => (order(a) < order(b) ? -1 : 1)).map(clientRecord);
    },
    async show(idOrName) {
      return shown(await read(idOrName));
    },
    async create(input) {
      const { body } = await http.call<{ client: ClientJson; client_secret?: string }>(
        'POST',
        '/clients',
        { body: clientBody(input) },
      );
      return {
        client: clientRecord(body.client),
        ...(body.client_secret ? { clientSecret: body.client_secret } : {}),
      };
    },
    async update(idOrName, input) {
      const { id, etag } = await version(idOrName);
      const { body } = await http.call<{
        client: ClientJson;
        changed: string[];
        client_secret?: string;
      }>('PATCH', path(id), { body: clientBody(input), ifMatch: etag });
      return {
        client: clientRecord(body.client),
        changed: body.changed.flatMap((name) => FIELD_OF[name] ?? []),
        ...(body.client_secret ? { clientSecret: body.client_secret } : {}),
      };
    },
    async disable(idOrName) {
      const { id, etag } = await version(idOrName);
      const { body } = await http.call<ClientJson>('POST', `${path(id)}/disable`, {
        ifMatch: etag,
      });
      return clientRecord(body);
    },
    async enable(idOrName) {
      const { id, etag } = await version(idOrName);
      const { body } = await http.call<ClientJson>('POST', `${path(id)}/enable`, { ifMatch: etag });
      return clientRecord(body);
    },
    async delete(idOrName) {
      const { id, etag, shown: before } = await version(idOrName);
      const client = before.client;
      await http.call('DELETE', path(id), { ifMatch: etag });
      return clientRecord(client);
    },
    async rotateSecret(idOrName, options) {
      const { id, etag, shown: before } = await version(idOrName);
      const client = before.client;
      const { body } = await http.call<{
        secret: SecretJson;
        client_secret: string;
        expiring: SecretJson[];
      }>('POST', `${path(id)}/secrets`, {
        body: {
          keep_old: options.keepOld,
          ...(options.name !== undefined ? { name: options.name } : {}),
        },
        ifMatch: etag,
      });
      return {
        client: clientRecord(client),
        secret: secretSummary(body.secret),
        clientSecret: body.client_secret,
        expiring: body.expiring.map(secretSummary),
      };
    },
    async secret(idOrName, name) {
      const body = await read(idOrName);
      const found = body.secrets.find((s) => s.name === name);
      if (!found) {
        // The API's refusal is the service's own (a public client, no such secret): let it say it.
        await http.call(
          'DELETE',
          `${path(body.client.client_id)}/secrets/${encodeURIComponent(name)}`,
          { ifMatch: (await clients.version(body.client.client_id)).etag },
        );
      }
      const { client, secrets } = shown(body);
      const now = new Date();
      const isLive = (s: { expiresAt: Date | null }) => s.expiresAt === null || s.expiresAt > now;
      const secret = secrets.find((s) => s.name === name);
      if (!secret) throw new CliError(`no secret "${name}"`);
      const live = isLive(secret);
      return { client, secret, live, lastLive: live && secrets.filter(isLive).length === 1 };
    },
    async removeSecret(idOrName, secret) {
      const { id, etag, shown: before } = await version(idOrName);
      const client = before.client;
      const { body } = await http.call<SecretJson>(
        'DELETE',
        `${path(id)}/secrets/${encodeURIComponent(secret.name)}`,
        { ifMatch: etag },
      );
      return { client: clientRecord(client), secret: secretSummary(body) };
    },
  };
}
