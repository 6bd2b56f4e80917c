import type { ClientRegistry } from '../registry/client-registry.ts';
import type { ResourceRegistry } from '../registry/resource-registry.ts';

/** The parts of an oidc-provider token the policy reads. */
interface IntrospectedToken {
  kind: string;
  clientId?: string;
  aud?: string | string[];
}

/**
 * Who may see an introspection answer other than `{"active": false}`: the client the token was
 * issued to, and, for an access token, the clients its resource names as introspection clients
 * (`resources create --introspection-client`), when they authenticated: RFC 7662 §4 has the
 * authorization server check that the caller is the API the token is for. Anyone else learns
 * nothing, not even that the token exists. A token whose client is disabled or gone is shown to
 * no one else either: to its API it is as dead as the client (and the client itself, disabled,
 * cannot authenticate to ask).
 *
 * @example
 * features.introspection.allowedPolicy = createIntrospectionPolicy(resources, clients);
 */
export function createIntrospectionPolicy(resources: ResourceRegistry, clients: ClientRegistry) {
  return async (
    _ctx: unknown,
    client: { clientId: string; clientAuthMethod?: string },
    token: IntrospectedToken,
  ): Promise<boolean> => {
    if (token.clientId === client.clientId) return true;
    // A public client proves nothing about who is asking: only its own tokens.
    if (client.clientAuthMethod === 'none') return false;
    if (token.kind !== 'AccessToken' && token.kind !== 'ClientCredentials') return false;
    if (token.clientId === undefined || !(await clients.get(token.clientId))) return false;
    const audiences = typeof token.aud === 'string' ? [token.aud] : (token.aud ?? []);
    for (const audience of audiences) {
      const resource = await resources.get(audience);
      if (resource?.introspectionClients.includes(client.clientId)) return true;
    }
    return false;
  };
}
