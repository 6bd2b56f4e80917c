// A second reference point: oidc-provider alone, with a static in-memory client and ES256 JWT
// access tokens for one resource, and none of Portcullis (no database, no hashed secrets).
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const resource = 'http://localhost:4000';
const provider = new Provider('http://127.0.0.1', {
  clients: [
    {
      client_id: 'bench',
      client_secret: 'bench-secret-bench-secret-bench-secret',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      id_token_signed_response_alg: 'ES256',
    },
  ],
  jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'bench', alg: 'ES256', use: 'sig' }] },
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
const server = provider.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const basic = Buffer.from('bench:bench-secret-bench-secret-bench-secret').toString('base64');
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/token`, basic })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
