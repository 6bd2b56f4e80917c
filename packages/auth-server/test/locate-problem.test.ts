import test from 'ava';
import { AuthServerError } from '../src/errors.ts';
import { locateProblem } from '../src/services/apply/locate-problem.ts';

test("a service's error goes to the file key of its field, and into the list at its index", (t) => {
  const ttl = new AuthServerError('invalid_input', 'must be from 1s to 1d', {
    field: 'accessTokenTtl',
    predicate: true,
  });
  t.deepEqual(locateProblem(['clients', 5], ttl), {
    path: ['clients', 5, 'access_token_ttl'],
    message: 'must be from 1s to 1d',
  });
  const scope = new AuthServerError('invalid_input', 'scope "x" is not defined', {
    field: 'scopes',
    index: 1,
    value: 'x',
  });
  t.deepEqual(locateProblem(['clients', 8], scope).path, ['clients', 8, 'scopes', 1]);
  t.deepEqual(locateProblem(['clients', 8], scope, 'in the file: x').message, 'in the file: x');
});

test('an error about no field of the file stays on the entry', (t) => {
  const unknownField = new AuthServerError('invalid_input', 'scope "x" is given twice', {
    field: 'putScopes',
    index: 0,
  });
  t.deepEqual(locateProblem(['resources', 1], unknownField).path, ['resources', 1]);
  const none = new AuthServerError('conflict', 'changed since');
  t.deepEqual(locateProblem(['resources'], none), {
    path: ['resources'],
    message: 'changed since',
  });
});

test("the file's keys are the admin API's body keys but for grants and scopes, and only its section's", (t) => {
  const error = (field: string) => new AuthServerError('invalid_input', 'wrong', { field });
  // Named as the admin API names them (FIELD_KEYS): one map for both.
  t.deepEqual(locateProblem(['clients', 0], error('authMethod')).path, [
    'clients',
    0,
    'token_endpoint_auth_method',
  ]);
  t.deepEqual(locateProblem(['resources', 2], error('rolesClaim')).path, [
    'resources',
    2,
    'roles_claim',
  ]);
  // The file's own names: a list of grants, not `grant_types`.
  t.deepEqual(locateProblem(['clients', 0], error('grants')).path, ['clients', 0, 'grants']);
  // A key of another section is no key of this entry.
  t.deepEqual(locateProblem(['roles', 1], error('redirectUris')).path, ['roles', 1]);
  t.deepEqual(locateProblem(['clients', 1], error('rolesClaim')).path, ['clients', 1]);
});
