import type { ResourceRecord } from '@portcullis/storage';
import test from 'ava';
import { createIntrospectionPolicy } from '../src/provider/introspection-policy.ts';
import type { ClientRegistry } from '../src/registry/client-registry.ts';
import type { ResourceRegistry } from '../src/registry/resource-registry.ts';

const API = 'https://api.example';
const registry = {
  async get(identifier: string) {
    return identifier === API
      ? ({ identifier, introspectionClients: ['api-client'] } as unknown as ResourceRecord)
      : undefined;
  },
} as ResourceRegistry;
// Enabled clients; the registry answers undefined for unknown and disabled ones alike.
const enabled = new Set(['app', 'api-client']);
const clients = {
  async get(id: string) {
    return enabled.has(id) ? { id } : undefined;
  },
} as unknown as ClientRegistry;
const allowed = createIntrospectionPolicy(registry, clients);

const confidential = (clientId: string) => ({ clientId, clientAuthMethod: 'client_secret_basic' });
const accessToken = { kind: 'AccessToken', clientId: 'app', aud: API };

test('the token’s own client may always see it', async (t) => {
  t.true(await allowed(undefined, confidential('app'), accessToken));
  t.true(await allowed(undefined, { clientId: 'app', clientAuthMethod: 'none' }, accessToken));
  t.true(await allowed(undefined, confidential('app'), { kind: 'RefreshToken', clientId: 'app' }));
});

test('the resource’s introspection client sees access tokens for the resource', async (t) => {
  t.true(await allowed(undefined, confidential('api-client'), accessToken));
  t.true(
    await allowed(undefined, confidential('api-client'), {
      ...accessToken,
      kind: 'ClientCredentials',
    }),
  );
  t.true(await allowed(undefined, confidential('api-client'), { ...accessToken, aud: [API] }));
});

test('nobody else, and never refresh tokens or tokens for other resources', async (t) => {
  t.false(await allowed(undefined, confidential('stranger'), accessToken));
  t.false(
    await allowed(undefined, confidential('api-client'), { kind: 'RefreshToken', clientId: 'app' }),
  );
  t.false(
    await allowed(undefined, confidential('api-client'), {
      ...accessToken,
      aud: 'https://other.example',
    }),
  );
  t.false(
    await allowed(undefined, confidential('api-client'), { kind: 'AccessToken', clientId: 'app' }),
  );
});

test('an unauthenticated (public) client named on the resource sees nothing but its own', async (t) => {
  t.false(
    await allowed(undefined, { clientId: 'api-client', clientAuthMethod: 'none' }, accessToken),
  );
});

test('a disabled or deleted client’s access tokens are shown to no introspection client', async (t) => {
  for (const clientId of ['disabled-app', undefined]) {
    t.false(
      await allowed(undefined, confidential('api-client'), { ...accessToken, clientId }),
      String(clientId),
    );
  }
});
