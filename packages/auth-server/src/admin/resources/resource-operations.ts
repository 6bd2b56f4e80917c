import { ADMIN_API_PATH } from '../../domain/admin-api.ts';
import {
  type CreateResourceInput,
  createResourcesService,
  type UpdateResourceInput,
} from '../../services/resources-service.ts';
import type { AdminCall, AdminOperation } from '../admin-operation.ts';
import { etagOf } from '../etag.ts';
import { namePage, namePageQuery, type PageParameters } from '../pagination.ts';
import { resourceJson } from './resource-json.ts';

// A resource's `scopes` is a list of definitions, not the space-separated `scope` of a client.
const FIELD_KEYS = { scopes: 'scopes' };

interface ScopeBody {
  name: string;
  description: string;
}

interface ResourceBody {
  identifier?: string;
  name?: string;
  scopes?: ScopeBody[];
  access_token_ttl?: string | number;
  access_token_format?: string;
  introspection_clients?: string[];
  role_gated_scopes?: string[];
  roles_claim?: boolean;
  put_scopes?: ScopeBody[];
  remove_scopes?: string[];
  gate_scopes?: string[];
  ungate_scopes?: string[];
}

const identifierOf = (call: AdminCall) => call.params.resource ?? '';

// Only the keys the body has.
function defined<T extends object>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as T;
}

// The resource's version, as getResource's ETag gives it: locked, then read, in the call's
// transaction, so that a concurrent change waits and then sees this one's result.
async function version(call: AdminCall) {
  const resources = createResourcesService(call.db);
  await resources.lockForChange(identifierOf(call));
  return resourceJson(await resources.show(identifierOf(call)));
}

const change = (call: AdminCall) => ({ actor: call.actor });

/**
 * The API resources' operations: each one call of the resources service, as the `resources`
 * commands make it, with the caller as the audit actor. Changes are conditional on the ETag.
 *
 * @example
 * const operations = resourceOperations();
 */
export function resourceOperations(): AdminOperation[] {
  return [
    {
      operationId: 'listResources',
      method: 'GET',
      path: '/resources',
      scope: 'admin:read',
      async run(call) {
        const { limit } = call.query as PageParameters;
        const rows = await createResourcesService(call.db).listPage(
          namePageQuery(call.query as PageParameters),
        );
        const page = namePage(rows, limit, (r) => [r.name, r.identifier]);
        return { status: 200, body: { ...page, items: page.items.map(resourceJson) } };
      },
    },
    {
      operationId: 'createResource',
      method: 'POST',
      path: '/resources',
      scope: 'admin:write',
      fieldKeys: FIELD_KEYS,
      async run(call) {
        const body = call.body as ResourceBody;
        const input: CreateResourceInput = defined({
          identifier: body.identifier ?? '',
          name: body.name ?? '',
          scopes: body.scopes ?? [],
          accessTokenTtl: body.access_token_ttl,
          accessTokenFormat: body.access_token_format,
          introspectionClients: body.introspection_clients,
          roleGatedScopes: body.role_gated_scopes,
          rolesClaim: body.roles_claim,
        });
        const created = await createResourcesService(call.db).create(input, change(call));
        const json = resourceJson(created);
        return {
          status: 201,
          body: json,
          etag: etagOf(json),
          location: `${ADMIN_API_PATH}/resources/${encodeURIComponent(created.identifier)}`,
        };
      },
    },
    {
      operationId: 'getResource',
      method: 'GET',
      path: '/resources/{resource}',
      scope: 'admin:read',
      async run(call) {
        const resources = createResourcesService(call.db);
        const json = resourceJson(await resources.show(identifierOf(call)));
        const clients = await resources.referencingClients(identifierOf(call));
        return {
          status: 200,
          body: {
            resource: json,
            clients: clients.map((c) => ({ client_id: c.id, name: c.name })),
          },
          etag: etagOf(json),
        };
      },
    },
    {
      operationId: 'updateResource',
      method: 'PATCH',
      path: '/resources/{resource}',
      scope: 'admin:write',
      fieldKeys: FIELD_KEYS,
      version,
      async run(call) {
        const body = (call.body ?? {}) as ResourceBody;
        const input: UpdateResourceInput = defined({
          name: body.name,
          accessTokenTtl: body.access_token_ttl,
          accessTokenFormat: body.access_token_format,
          introspectionClients: body.introspection_clients,
          putScopes: body.put_scopes,
          removeScopes: body.remove_scopes,
          gateScopes: body.gate_scopes,
          ungateScopes: body.ungate_scopes,
          rolesClaim: body.roles_claim,
        });
        const { resource, changed } = await createResourcesService(call.db).update(
          identifierOf(call),
          input,
          change(call),
        );
        const json = resourceJson(resource);
        return { status: 200, body: { resource: json, changed }, etag: etagOf(json) };
      },
    },
    {
      operationId: 'deleteResource',
      method: 'DELETE',
      path: '/resources/{resource}',
      scope: 'admin:write',
      version,
      async run(call) {
        const force = String(call.query.force) === 'true';
        const deleted = await createResourcesService(call.db).delete(identifierOf(call), {
          ...change(call),
          force,
        });
        return {
          status: 200,
          body: {
            resource: resourceJson(deleted.resource),
            detached_clients: deleted.detachedClients,
            revoked_tokens: deleted.revokedTokens,
          },
        };
      },
    },
  ];
}
