import test from 'ava';
import {
  type CatalogueScope,
  defineCatalogue,
  errorCodes,
  type ResourceServerConfigError,
} from '../../src/index.ts';
import { assertInsufficientScope } from '../helpers/assertions.ts';
import { generateTestKey } from '../helpers/keys.ts';
import { mintToken } from '../helpers/mint-token.ts';
import { assertReached } from '../helpers/rule-assertions.ts';
import { send } from '../helpers/send.ts';
import { startIssuer } from '../helpers/start-issuer.ts';
import { startRulesApp } from '../helpers/start-rules-app.ts';

const catalogue = defineCatalogue({
  notes: {
    identifier: 'http://localhost:4000',
    name: 'Notes API',
    scopes: { 'notes:read': 'Read your notes', 'notes:write': 'Create and delete your notes' },
  },
  billing: {
    identifier: 'https://billing.example.com',
    name: 'Billing',
    scopes: { 'invoices:read': 'See your invoices' },
  },
});

test('rule builders accept catalogue scopes, and only those (checked by tsc -b)', (t) => {
  t.notThrows(() => [
    catalogue.rules.allOf('notes:read'),
    catalogue.rules.anyOf('notes:write', 'invoices:read'),
    catalogue.rules.readWrite({ read: 'notes:read', write: ['notes:write'] }),
    catalogue.rules.resourceScope('notes'),
    catalogue.rules.perMethod({ GET: [['notes:read'], ['invoices:read']] }),
  ]);
  // Each line below must fail to type-check: `tsc -b` reports an unused @ts-expect-error.
  // @ts-expect-error 'notes:raed' is not a scope of the catalogue
  t.throws(() => catalogue.rules.allOf('notes:raed'));
  // @ts-expect-error a typo in a list of alternatives
  t.throws(() => catalogue.rules.anyOf('notes:read', 'note:write'));
  // @ts-expect-error a scope of another API that is not declared
  t.throws(() => catalogue.rules.readWrite({ read: 'notes:read', write: 'notes:admin' }));
  // @ts-expect-error `invoices` has no `invoices:write`, so it is no resource for resourceScope
  t.throws(() => catalogue.rules.resourceScope('invoices'));
  // @ts-expect-error a typo inside a perMethod alternative
  t.throws(() => catalogue.rules.perMethod({ POST: [['notes:write', 'notes:wirte']] }));
});

test('the scope union type names every declared scope', (t) => {
  type Scope = CatalogueScope<typeof catalogue.resources>;
  const scopes: Scope[] = ['notes:read', 'notes:write', 'invoices:read'];
  t.deepEqual([...catalogue.scopes], scopes);
});

test('an unknown scope is refused at run time too, for untyped callers', (t) => {
  const error = t.throws(() =>
    catalogue.rules.allOf('notes:read', 'notes:delete' as 'notes:read'),
  ) as ResourceServerConfigError;
  t.is(error.code, errorCodes.config);
  t.is(error.key, 'catalogue.rules.allOf');
  t.regex(error.message, /"notes:delete" is not a catalogue scope/);
});

test('toJSON gives the resources and scopes in declaration order', (t) => {
  const expected = {
    resources: [
      {
        identifier: 'http://localhost:4000',
        name: 'Notes API',
        scopes: [
          { name: 'notes:read', description: 'Read your notes' },
          { name: 'notes:write', description: 'Create and delete your notes' },
        ],
      },
      {
        identifier: 'https://billing.example.com',
        name: 'Billing',
        scopes: [{ name: 'invoices:read', description: 'See your invoices' }],
      },
    ],
  };
  t.deepEqual(catalogue.toJSON(), expected);
  t.deepEqual(JSON.parse(JSON.stringify(catalogue)), expected);
});

test('the catalogue is frozen: changing it later cannot widen a rule', (t) => {
  t.true(Object.isFrozen(catalogue.resources));
  t.true(Object.isFrozen(catalogue.resources.notes.scopes));
  t.throws(() => {
    (catalogue.resources.notes.scopes as Record<string, string>)['notes:admin'] = 'x';
  });
  const json = catalogue.toJSON();
  json.resources.pop();
  t.is(catalogue.toJSON().resources.length, 2);
});

const invalid: Array<[string, unknown, string]> = [
  [
    'a relative identifier',
    { a: { identifier: '/api', name: 'A', scopes: {} } },
    'catalogue.a.identifier',
  ],
  [
    'an ftp identifier',
    { a: { identifier: 'ftp://x', name: 'A', scopes: {} } },
    'catalogue.a.identifier',
  ],
  [
    'a fragment',
    { a: { identifier: 'https://x/#y', name: 'A', scopes: {} } },
    'catalogue.a.identifier',
  ],
  [
    'credentials',
    { a: { identifier: 'https://u:p@x', name: 'A', scopes: {} } },
    'catalogue.a.identifier',
  ],
  ['an empty name', { a: { identifier: 'https://x', name: ' ', scopes: {} } }, 'catalogue.a.name'],
  [
    'a control character in the name',
    { a: { identifier: 'https://x', name: 'A\nB', scopes: {} } },
    'catalogue.a.name',
  ],
  [
    'a scope with a space',
    { a: { identifier: 'https://x', name: 'A', scopes: { 'a b': 'x' } } },
    'catalogue.a.scopes',
  ],
  [
    'a scope with a quote',
    { a: { identifier: 'https://x', name: 'A', scopes: { 'a"': 'x' } } },
    'catalogue.a.scopes',
  ],
  [
    'an OpenID scope',
    { a: { identifier: 'https://x', name: 'A', scopes: { openid: 'x' } } },
    'catalogue.a.scopes',
  ],
  [
    'an empty description',
    { a: { identifier: 'https://x', name: 'A', scopes: { s: '' } } },
    'catalogue.a.scopes.s',
  ],
  [
    'a long description',
    { a: { identifier: 'https://x', name: 'A', scopes: { s: 'x'.repeat(301) } } },
    'catalogue.a.scopes.s',
  ],
  [
    'an unknown key',
    { a: { identifier: 'https://x', name: 'A', scopes: {}, ttl: 60 } },
    'catalogue.a.ttl',
  ],
  [
    'an identifier declared twice',
    {
      a: { identifier: 'https://x', name: 'A', scopes: {} },
      b: { identifier: 'https://x', name: 'B', scopes: {} },
    },
    'catalogue.b.identifier',
  ],
  [
    'a name declared twice, in another case',
    {
      a: { identifier: 'https://x', name: 'Notes', scopes: {} },
      b: { identifier: 'https://y', name: 'NOTES', scopes: {} },
    },
    'catalogue.b.name',
  ],
  ['not an object', 'notes', 'catalogue'],
];

for (const [what, declaration, key] of invalid) {
  test(`refuses ${what}`, (t) => {
    const error = t.throws(() =>
      defineCatalogue(declaration as never),
    ) as ResourceServerConfigError;
    t.is(error.code, errorCodes.config);
    t.is(error.key, key);
  });
}

test('catalogue rules protect routes like the plain ones', async (t) => {
  const key = await generateTestKey('key-1');
  const issuer = await startIssuer([key.publicJwk]);
  const app = await startRulesApp(issuer.jwksUri, {
    '/notes': { rule: catalogue.rules.resourceScope('notes') },
  });
  try {
    const token = async (scope: string) => `Bearer ${await mintToken(key, { claims: { scope } })}`;
    assertReached(t, await send('GET', `${app.url}/notes`, await token('notes:read')));
    assertInsufficientScope(
      t,
      await send('POST', `${app.url}/notes`, await token('notes:read')),
      'notes:write',
    );
  } finally {
    await app.close();
    await issuer.close();
  }
});
