import test from 'ava';
import {
  allOf,
  and,
  anyOf,
  authenticatedOrReadOnly,
  claim,
  errorCodes,
  normalizePath,
  not,
  or,
  owner,
  perMethod,
  permit,
  type Rule,
  readWrite,
  resourceScope,
  role,
} from '../../src/index.ts';

// Misuse is caught when the app is built, with the builder named, never at request time.
const refusals: Array<[string, () => unknown, string]> = [
  ['allOf()', () => allOf(), 'allOf'],
  ['allOf with a space', () => allOf('notes:read notes:write'), 'allOf'],
  ['allOf with a quote', () => allOf('notes"'), 'allOf'],
  ['allOf with a backslash', () => allOf('notes\\read'), 'allOf'],
  ['allOf with non-ASCII', () => allOf('notes:lire\u00e9'), 'allOf'],
  ['allOf with a non-string', () => allOf(42 as unknown as string), 'allOf'],
  ['anyOf with an empty scope', () => anyOf(''), 'anyOf'],
  ['readWrite without write', () => readWrite({ read: 'a' } as never), 'readWrite.write'],
  ['readWrite with an empty list', () => readWrite({ read: [], write: 'b' }), 'readWrite.read'],
  [
    'readWrite with an unknown key',
    () => readWrite({ read: 'a', write: 'b', admin: 'c' } as never),
    'readWrite.admin',
  ],
  ['resourceScope with an empty name', () => resourceScope(''), 'resourceScope'],
  ['resourceScope with a space', () => resourceScope('my notes'), 'resourceScope'],
  ['perMethod with no method', () => perMethod({}), 'perMethod'],
  ['perMethod with no alternative', () => perMethod({ GET: [] }), 'perMethod.GET'],
  ['perMethod with a bad scope', () => perMethod({ GET: [['a b']] }), 'perMethod.GET'],
  ['perMethod with a bad method', () => perMethod({ 'GE T': [['a']] }), 'perMethod'],
  [
    'perMethod with a method twice',
    () => perMethod({ get: [['a']], GET: [['b']] }),
    'perMethod.GET',
  ],
  ['perMethod with a flat list', () => perMethod({ GET: ['a'] as never }), 'perMethod.GET'],
  ['and()', () => and(), 'and'],
  ['or with a non-rule', () => or(allOf('a'), {} as Rule), 'or'],
  ['not(undefined)', () => not(undefined as unknown as Rule), 'not'],
  ['claim without a name', () => claim('', () => true), 'claim'],
  ['claim without a predicate', () => claim('x', 'yes' as never), 'claim'],
  ['role without a name', () => role(''), 'role'],
  ['role with a non-string', () => role(['admin'] as never), 'role'],
  ['owner without a getter', () => owner('sub' as never), 'owner'],
  [
    'authenticatedOrReadOnly with a non-rule',
    () => authenticatedOrReadOnly({} as Rule),
    'authenticatedOrReadOnly',
  ],
  ['permit without a rule', () => permit(undefined as unknown as Rule), 'permit'],
  ['permit with a function', () => permit((() => true) as unknown as Rule), 'permit'],
  [
    'normalizePath with an unknown option',
    () => normalizePath({ strict: true } as never),
    'normalizePath.strict',
  ],
  [
    'normalizePath with a quoted realm',
    () => normalizePath({ realm: 'a"b' }),
    'normalizePath.realm',
  ],
];

for (const [what, build, key] of refusals) {
  test(`refused at start-up: ${what}`, (t) => {
    const error = t.throws(build) as Error & { code?: string; key?: string };
    t.is(error.code, errorCodes.config);
    t.is(error.key, key);
  });
}

test('rules are values: one rule serves many routes and compositions', (t) => {
  const read = allOf('notes:read');
  t.notThrows(() => [permit(read), permit(and(read, read)), permit(or(read, not(read)))]);
});
