// A second reference point: oidc-provider alone, with a static in-memory client and ES256 JWT
// access tokens for one resource, and none of Portcullis (no database, no hashed secrets). Its
// tokens are the size of Portcullis's: a client id of 22 characters (16 random bytes), a secret
// of 43 (32 bytes), a key id that is the key's thumbprint, an issuer and an audience with a port,
// so both servers sign, encode and send the same number of bytes.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const jwk = await exportJWK(privateKey);
const clientId = randomBytes(16).toString('base64url');
const clientSecret = randomBytes(32).toString('base64url');
const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = server.address();
const port = typeof address === 'object' && address ? address.port : 0;
// Another port of the same length stands for the API's.
const resource = `http://127.0.0.1:${String((port % 40_000) + 20_000)}`;
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      id_token_signed_response_alg: 'ES256',
    },
  ],
  jwks: {
    keys: [{ ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'ES256', use: 'sig' }],
  },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      getResourceServerInfo: () => ({
        scope: 'notes:read notes:write',
        audience: resource,
        accessTokenTTL: 600,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
      useGrantedResource: () => true,
    },
  },
  ttl: { ClientCredentials: 600 },
});
server.on('request', provider.callback());
const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/token`, basic })}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
