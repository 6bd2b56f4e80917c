import type { ResourceRecord } from '@portcullis/storage';
import { CliError } from '../errors.ts';
import { loadServices } from '../lazy.ts';
import { adminHttp } from '../remote/admin-http.ts';
import { allPages, versionedReads } from '../remote/admin-reads.ts';
import { apiBody } from '../remote/api-body.ts';
import { ProblemError } from '../remote/problem-line.ts';
import type { Io } from '../runtime.ts';
import { type ResourcesBackend, withForceHint } from './resources-backend.ts';

/** A resource as the admin API writes it (docs/admin-api.md). */
interface ResourceJson {
  identifier: string;
  name: string;
  access_token_ttl: number;
  access_token_format: 'jwt' | 'opaque';
  scopes: Array<{ name: string; description: string }>;
  introspection_clients: string[];
  role_gated_scopes: string[];
  roles_claim: boolean;
  created_at: string;
}

interface Shown {
  resource: ResourceJson;
  clients: Array<{ client_id: string; name: string }>;
}

// A resource's `scopes` is a list of definitions, not a client's space-separated `scope`.
const KEYS = { scopes: 'scopes' };

// The API's schema refuses a format that is not jwt or opaque before the service would, in its own
// words: the service's check, made here first, words it as the local mode does.
async function checkAhead(input: { accessTokenFormat?: string }) {
  if (input.accessTokenFormat === undefined) return;
  (await loadServices()).validateResourceFormat(input.accessTokenFormat);
}

const path = (identifier: string) => `/resources/${encodeURIComponent(identifier)}`;

const record = (json: ResourceJson): ResourceRecord => ({
  identifier: json.identifier,
  name: json.name,
  accessTokenTtl: json.access_token_ttl,
  accessTokenFormat: json.access_token_format,
  introspectionClients: json.introspection_clients,
  scopes: json.scopes.map((s) => ({ name: s.name, description: s.description })),
  roleGatedScopes: json.role_gated_scopes,
  rolesClaim: json.roles_claim,
  createdAt: new Date(json.created_at),
});

/**
 * The remote back end of the `resources` commands: the admin API at `server` (`admin:read` to
 * read, `admin:write` to change). Changes are conditional on the version last read (If-Match):
 * for `delete`, the one the confirmation was asked about.
 *
 * @example
 * await remoteResources(io, new URL('https://auth.example.com')).list();
 */
export function remoteResources(io: Io, server: URL): ResourcesBackend {
  const http = adminHttp(io, server);
  const resources = versionedReads<Shown>(http, path, (body) => body.resource.identifier);
  return {
    async list() {
      const all = await allPages<ResourceJson>(http, '/resources');
      // In the local mode's order (the repository's): by identifier.
      return all.sort((a, b) => (a.identifier < b.identifier ? -1 : 1)).map(record);
    },
    async show(identifier) {
      const body = await resources.read(identifier);
      return {
        resource: record(body.resource),
        clients: body.clients.map((c) => ({ id: c.client_id, name: c.name })),
      };
    },
    async create(input) {
      await checkAhead(input);
      const { body } = await http.call<ResourceJson>('POST', '/resources', {
        body: apiBody(input, KEYS),
      });
      return record(body);
    },
    async update(identifier, input) {
      await checkAhead(input);
      const { id, etag } = await resources.version(identifier);
      const { body } = await http.call<{ resource: ResourceJson; changed: string[] }>(
        'PATCH',
        path(id),
        { body: apiBody(input, KEYS), ifMatch: etag },
      );
      return { resource: record(body.resource), changed: body.changed };
    },
    async delete(identifier, options) {
      const { id, etag } = await resources.version(identifier);
      const answer = await http
        .call<{ resource: ResourceJson; detached_clients: string[]; revoked_tokens: number }>(
          'DELETE',
          `${path(id)}${options.force ? '?force=true' : ''}`,
          { ifMatch: etag },
        )
        .catch((error: unknown) => {
          if (error instanceof ProblemError && error.status === 409) {
            throw new CliError(withForceHint(error.message));
          }
          throw error;
        });
      return {
        resource: record(answer.body.resource),
        detachedClients: answer.body.detached_clients,
        revokedTokens: answer.body.revoked_tokens,
      };
    },
  };
}
