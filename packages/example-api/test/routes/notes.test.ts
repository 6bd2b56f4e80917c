import test from 'ava';
import { call } from '../helpers/api-client.ts';
import { AUDIENCE, startStack, type TestStack } from '../helpers/start-api.ts';

// Each test starts its own stack: notes live in memory per app instance.
const withStack = (run: (stack: TestStack) => Promise<void>) => async () => {
  const stack = await startStack();
  try {
    await run(stack);
  } finally {
    await stack.close();
  }
};

const tokenFor = (stack: TestStack, sub: string, scope: string) =>
  stack.issuer.mint(AUDIENCE, { sub, scope });

test('POST /notes creates a note owned by the token subject (201)', async (t) => {
  await withStack(async ({ api, issuer }) => {
    const token = issuer.mint(AUDIENCE, { sub: 'alice', scope: 'notes:write' });
    const response = await call(`${api.url}/notes`, {
      method: 'POST',
      token,
      body: { text: 'hi' },
    });
    t.is(response.status, 201);
    const note = response.body as Record<string, unknown>;
    t.deepEqual(Object.keys(note).sort(), ['created_at', 'id', 'owner', 'text']);
    t.like(note, { text: 'hi', owner: 'alice' });
    t.false(Number.isNaN(Date.parse(note.created_at as string)));
    t.is(response.headers.get('location'), `/notes/${note.id}`);
  })();
});

test('GET /notes lists the notes as a JSON array', async (t) => {
  await withStack(async (stack) => {
    const reader = tokenFor(stack, 'reader', 'notes:read');
    t.deepEqual((await call(`${stack.api.url}/notes`, { token: reader })).body, []);
    const writer = tokenFor(stack, 'alice', 'notes:write');
    const created = await call(`${stack.api.url}/notes`, {
      method: 'POST',
      token: writer,
      body: { text: 'a' },
    });
    const listed = await call(`${stack.api.url}/notes`, { token: reader });
    t.is(listed.status, 200);
    t.deepEqual(listed.body, [created.body]);
  })();
});

test('POST /notes with only notes:read: 403 insufficient_scope naming notes:write', async (t) => {
  await withStack(async (stack) => {
    const token = tokenFor(stack, 'alice', 'notes:read');
    const response = await call(`${stack.api.url}/notes`, {
      method: 'POST',
      token,
      body: { text: 'x' },
    });
    t.is(response.status, 403);
    t.regex(
      response.headers.get('www-authenticate') ?? '',
      /^Bearer realm="http:\/\/localhost:4000", error="insufficient_scope", error_description="[^"]+", scope="notes:write"$/,
    );
    t.like(response.body, { error: 'insufficient_scope' });
    t.deepEqual((await call(`${stack.api.url}/notes`, { token })).body, []);
  })();
});

test('GET /notes with only notes:write: 403 naming notes:read', async (t) => {
  await withStack(async (stack) => {
    const response = await call(`${stack.api.url}/notes`, {
      token: tokenFor(stack, 'a', 'notes:write'),
    });
    t.is(response.status, 403);
    t.regex(response.headers.get('www-authenticate') ?? '', /scope="notes:read"$/);
  })();
});

test('GET /notes with a near-miss scope (notes:readx): 403', async (t) => {
  await withStack(async (stack) => {
    const response = await call(`${stack.api.url}/notes`, {
      token: tokenFor(stack, 'a', 'notes:readx'),
    });
    t.is(response.status, 403);
  })();
});

test('every notes route needs a token, with or without a trailing slash', async (t) => {
  await withStack(async ({ api }) => {
    for (const [method, path] of [
      ['GET', '/notes'],
      ['GET', '/notes/'],
      ['POST', '/notes'],
      ['DELETE', '/notes/some-id'],
      ['DELETE', '/notes/some-id/'],
    ] as const) {
      const response = await call(`${api.url}${path}`, { method });
      t.is(response.status, 401, `${method} ${path}`);
      t.is(response.headers.get('www-authenticate'), `Bearer realm="${AUDIENCE}"`);
    }
  })();
});

// Changed with the move to normalizePath and a case-sensitive router: these spellings used to be
// routed to /notes (and answered 401); now they are no route at all, token or not.
test('paths are case-sensitive: /NOTES reaches no route, even with a token (404)', async (t) => {
  await withStack(async ({ api, issuer }) => {
    const token = issuer.mint(AUDIENCE, { scope: 'notes:read notes:write' });
    for (const [method, path] of [
      ['GET', '/NOTES'],
      ['POST', '/Notes'],
      ['DELETE', '/NOTES/some-id/'],
    ] as const) {
      for (const options of [{ method }, { method, token }]) {
        const response = await call(`${api.url}${path}`, options);
        t.is(response.status, 404, `${method} ${path}`);
        t.like(response.body, { error: 'not_found' });
      }
    }
  })();
});

test('DELETE /notes/:id by the owner: 204, then 404', async (t) => {
  await withStack(async (stack) => {
    const token = tokenFor(stack, 'alice', 'notes:read notes:write');
    const created = await call(`${stack.api.url}/notes`, {
      method: 'POST',
      token,
      body: { text: 'x' },
    });
    const url = `${stack.api.url}/notes/${(created.body as { id: string }).id}`;
    const deleted = await call(url, { method: 'DELETE', token });
    t.is(deleted.status, 204);
    t.deepEqual((await call(`${stack.api.url}/notes`, { token })).body, []);
    const again = await call(url, { method: 'DELETE', token });
    t.is(again.status, 404);
    t.like(again.body, { error: 'not_found' });
  })();
});

test('DELETE /notes/:id by someone else: 403 forbidden, and the note stays', async (t) => {
  await withStack(async (stack) => {
    const alice = tokenFor(stack, 'alice', 'notes:read notes:write');
    const mallory = tokenFor(stack, 'mallory', 'notes:read notes:write');
    const created = await call(`${stack.api.url}/notes`, {
      method: 'POST',
      token: alice,
      body: { text: 'x' },
    });
    const url = `${stack.api.url}/notes/${(created.body as { id: string }).id}`;
    const response = await call(url, { method: 'DELETE', token: mallory });
    t.is(response.status, 403);
    t.like(response.body, { error: 'forbidden' });
    t.is(typeof (response.body as { error_description?: unknown }).error_description, 'string');
    t.deepEqual((await call(`${stack.api.url}/notes`, { token: alice })).body, [created.body]);
  })();
});

test('DELETE /notes/:id by the owner with only notes:read: 403 insufficient_scope', async (t) => {
  await withStack(async (stack) => {
    const writer = tokenFor(stack, 'alice', 'notes:write');
    const created = await call(`${stack.api.url}/notes`, {
      method: 'POST',
      token: writer,
      body: { text: 'x' },
    });
    const url = `${stack.api.url}/notes/${(created.body as { id: string }).id}`;
    const response = await call(url, {
      method: 'DELETE',
      token: tokenFor(stack, 'alice', 'notes:read'),
    });
    t.is(response.status, 403);
    t.like(response.body, { error: 'insufficient_scope' });
  })();
});

test('DELETE /notes/:id with an unknown id: 404 JSON', async (t) => {
  await withStack(async (stack) => {
    const token = tokenFor(stack, 'alice', 'notes:write');
    const url = `${stack.api.url}/notes/00000000-0000-0000-0000-000000000000`;
    const response = await call(url, { method: 'DELETE', token });
    t.is(response.status, 404);
    t.like(response.body, { error: 'not_found' });
  })();
});

// Changed with the move to normalizePath: malformed or traversing ids used to reach the route
// (404); now the path is refused before routing.
test('DELETE /notes/:id with a malformed or traversing id: 400 invalid_request', async (t) => {
  await withStack(async (stack) => {
    const token = tokenFor(stack, 'alice', 'notes:write');
    // (fetch resolves `%2e%2e` itself; path-normalisation.test.ts sends raw paths.)
    for (const id of ['%E0%A4%A', '..%2F..%2Fetc', '%2e%2e%2fx', 'a%00b']) {
      const response = await call(`${stack.api.url}/notes/${id}`, { method: 'DELETE', token });
      t.is(response.status, 400, id);
      t.like(response.body, { error: 'invalid_request' });
      t.regex(
        response.headers.get('www-authenticate') ?? '',
        /^Bearer realm="http:\/\/localhost:4000", error="invalid_request", error_description="[^"]+"$/,
      );
    }
  })();
});

test('DELETE /notes/:id without notes:write is refused before the note is looked up', async (t) => {
  await withStack(async (stack) => {
    const token = tokenFor(stack, 'alice', 'notes:read');
    const url = `${stack.api.url}/notes/00000000-0000-0000-0000-000000000000`;
    const response = await call(url, { method: 'DELETE', token });
    // 403 insufficient_scope, not 404: a token that may not write learns nothing about ids.
    t.is(response.status, 403);
    t.like(response.body, { error: 'insufficient_scope' });
    t.regex(response.headers.get('www-authenticate') ?? '', /scope="notes:write"$/);
  })();
});
