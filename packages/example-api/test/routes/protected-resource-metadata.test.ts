import test from 'ava';
import { call } from '../helpers/api-client.ts';
import { AUDIENCE, startStack } from '../helpers/start-api.ts';

const metadataPath = '/.well-known/oauth-protected-resource';

test('GET /.well-known/oauth-protected-resource: the RFC 9728 document, with the catalogue', async (t) => {
  const stack = await startStack({ publicUrl: AUDIENCE });
  t.teardown(() => stack.close());
  const response = await call(`${stack.api.url}${metadataPath}`);
  t.is(response.status, 200);
  t.regex(response.headers.get('content-type') ?? '', /^application\/json/);
  t.is(response.headers.get('cache-control'), 'public, max-age=300');
  t.deepEqual(response.body, {
    resource: AUDIENCE,
    authorization_servers: [stack.issuer.url],
    bearer_methods_supported: ['header'],
    scopes_supported: ['notes:read', 'notes:write'],
    resource_name: 'Example notes API',
  });
  const head = await call(`${stack.api.url}${metadataPath}`, { method: 'HEAD' });
  t.is(head.status, 200);
});

test('with publicUrl, every challenge names the metadata URL', async (t) => {
  const stack = await startStack({ publicUrl: AUDIENCE });
  t.teardown(() => stack.close());
  const resourceMetadata = `resource_metadata="${AUDIENCE}${metadataPath}"`;
  const missing = await call(`${stack.api.url}/notes`);
  t.is(missing.status, 401);
  t.is(missing.headers.get('www-authenticate'), `Bearer realm="${AUDIENCE}", ${resourceMetadata}`);
  const reader = stack.issuer.mint(AUDIENCE, { scope: 'notes:read' });
  const refused = await call(`${stack.api.url}/notes`, { method: 'POST', token: reader, body: {} });
  t.is(refused.status, 403);
  t.regex(
    refused.headers.get('www-authenticate') ?? '',
    new RegExp(`error="insufficient_scope", .*scope="notes:write", ${resourceMetadata}$`),
  );
});

test('without publicUrl the document is served too, and challenges stay bare', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.close());
  const response = await call(`${stack.api.url}${metadataPath}`);
  t.is(response.status, 200);
  t.like(response.body, { resource: AUDIENCE });
  t.is(
    (await call(`${stack.api.url}/notes`)).headers.get('www-authenticate'),
    `Bearer realm="${AUDIENCE}"`,
  );
});

test('the metadata needs no token and answers only GET and HEAD', async (t) => {
  const stack = await startStack({ publicUrl: AUDIENCE });
  t.teardown(() => stack.close());
  const post = await call(`${stack.api.url}${metadataPath}`, { method: 'POST' });
  t.is(post.status, 405);
  t.like(post.body, { error: 'method_not_allowed' });
  t.is(post.headers.get('allow'), 'GET, HEAD');
});
