import type { RegisteredVia } from '@portcullis/storage';
import { ADMIN_API_PATH } from '../../domain/admin-api.ts';
import { CLIENT_FIELD_NAMES, createClientsService } from '../../services/clients-service.ts';
import { clientJson, secretJson } from '../../views/client-json.ts';
import type { AdminCall, AdminOperation } from '../admin-operation.ts';
import { etagOf } from '../etag.ts';
import { namePage, namePageQuery, type PageParameters } from '../pagination.ts';
import { type ClientBody, createInput, updateInput } from './client-input.ts';
import { clientVersion } from './client-version.ts';

const param = (call: AdminCall, name: string) => call.params[name] ?? '';

// The client's version, as getClient's ETag gives it: locked, then read, in the call's
// transaction, so that a concurrent change waits and then sees this one's result.
async function version(call: AdminCall) {
  const clients = createClientsService(call.db);
  const id = await clients.lockForChange(param(call, 'client'));
  const { client, secrets } = await clients.show(id);
  return clientVersion(client, secrets);
}

// The ETag of a client after a change, read again in the same transaction.
const etagAfter = async (call: AdminCall, id: string) =>
  etagOf(await version({ ...call, params: { client: id } }));

const change = (call: AdminCall) => ({ actor: call.actor });

/**
 * The clients' operations: each one call of the clients service, as the `clients` commands make
 * it, with the caller as the audit actor. Changes to an existing client are conditional on its
 * ETag (admin-operation.ts).
 *
 * @example
 * const routes = clientOperations().map((operation) => ...);
 */
export function clientOperations(): AdminOperation[] {
  return [
    {
      operationId: 'listClients',
      method: 'GET',
      path: '/clients',
      scope: 'admin:read',
      async run(call) {
        const { limit, registered, ...query } = call.query as PageParameters & {
          registered?: string;
        };
        const rows = await createClientsService(call.db).listPage({
          ...namePageQuery({ limit, ...query }),
          ...(registered ? { registeredVia: registered as RegisteredVia } : {}),
        });
        const page = namePage(rows, limit, (c) => [c.name, c.id]);
        return { status: 200, body: { ...page, items: page.items.map(clientJson) } };
      },
    },
    {
      operationId: 'createClient',
      method: 'POST',
      path: '/clients',
      scope: 'admin:write',
      async run(call) {
        const created = await createClientsService(call.db).create(
          createInput(call.body as ClientBody),
          change(call),
          { address: call.address },
        );
        return {
          status: 201,
          body: {
            client: clientJson(created.client),
            ...(created.clientSecret ? { client_secret: created.clientSecret } : {}),
          },
          etag: await etagAfter(call, created.client.id),
          location: `${ADMIN_API_PATH}/clients/${encodeURIComponent(created.client.id)}`,
        };
      },
    },
    {
      operationId: 'getClient',
      method: 'GET',
      path: '/clients/{client}',
      scope: 'admin:read',
      async run(call) {
        const { client, secrets } = await createClientsService(call.db).show(param(call, 'client'));
        const now = new Date();
        return {
          status: 200,
          body: { client: clientJson(client), secrets: secrets.map((s) => secretJson(s, now)) },
          etag: etagOf(clientVersion(client, secrets)),
        };
      },
    },
    {
      operationId: 'updateClient',
      method: 'PATCH',
      path: '/clients/{client}',
      scope: 'admin:write',
      version,
      async run(call) {
        const updated = await createClientsService(call.db).update(
          param(call, 'client'),
          updateInput((call.body ?? {}) as ClientBody),
          change(call),
          { address: call.address },
        );
        return {
          status: 200,
          body: {
            client: clientJson(updated.client),
            changed: updated.changed.map((field) => CLIENT_FIELD_NAMES[field]),
            ...(updated.clientSecret ? { client_secret: updated.clientSecret } : {}),
          },
          etag: await etagAfter(call, updated.client.id),
        };
      },
    },
    {
      operationId: 'deleteClient',
      method: 'DELETE',
      path: '/clients/{client}',
      scope: 'admin:write',
      version,
      async run(call) {
        await createClientsService(call.db).delete(param(call, 'client'), change(call), {
          address: call.address,
        });
        return { status: 204 };
      },
    },
    ...(['disable', 'enable'] as const).map(
      (action): AdminOperation => ({
        operationId: `${action}Client`,
        method: 'POST',
        path: `/clients/{client}/${action}`,
        scope: 'admin:write',
        version,
        async run(call) {
          const client = await createClientsService(call.db)[action](
            param(call, 'client'),
            change(call),
          );
          return { status: 200, body: clientJson(client), etag: await etagAfter(call, client.id) };
        },
      }),
    ),
    {
      operationId: 'rotateClientSecret',
      method: 'POST',
      path: '/clients/{client}/secrets',
      scope: 'admin:write',
      version,
      async run(call) {
        const { keep_old: keepOld, name } = (call.body ?? {}) as {
          keep_old?: string | number;
          name?: string;
        };
        const rotated = await createClientsService(call.db).rotateSecret(
          param(call, 'client'),
          {
            ...(keepOld !== undefined ? { keepOld } : {}),
            ...(name !== undefined ? { name } : {}),
          },
          change(call),
        );
        const now = new Date();
        return {
          status: 201,
          body: {
            client_id: rotated.client.id,
            secret: secretJson(rotated.secret, now),
            client_secret: rotated.clientSecret,
            expiring: rotated.expiring.map((s) => secretJson(s, now)),
          },
          etag: await etagAfter(call, rotated.client.id),
        };
      },
    },
    {
      operationId: 'removeClientSecret',
      method: 'DELETE',
      path: '/clients/{client}/secrets/{secret}',
      scope: 'admin:write',
      version,
      async run(call) {
        const removed = await createClientsService(call.db).removeSecret(
          param(call, 'client'),
          { name: param(call, 'secret') },
          change(call),
        );
        return {
          status: 200,
          body: secretJson(removed.secret, new Date()),
          etag: await etagAfter(call, removed.client.id),
        };
      },
    },
  ];
}
