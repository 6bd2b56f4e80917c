import * as client from 'openid-client';

/**
 * openid-client's configuration for a confidential client of a test issuer on plain-http
 * loopback: discovery, then HTTP Basic with its secret.
 *
 * @example
 * const config = await discoverClient(stack.issuer, { client_id, client_secret });
 */
export function discoverClient(
  issuer: string,
  credentials: { client_id: string; client_secret: string },
): Promise<client.Configuration> {
  return client.discovery(
    new URL(issuer),
    credentials.client_id,
    undefined,
    client.ClientSecretBasic(credentials.client_secret),
    { execute: [client.allowInsecureRequests] },
  );
}
