import { AuthServerError } from '@portcullis/auth-server/config';
import test from 'ava';
import { describeError } from '../src/errors.ts';
import { FIELD_FLAGS, flagOf } from '../src/field-flags.ts';

test("a service's predicate on a field reads after the flag that gives the field", (t) => {
  const error = new AuthServerError('invalid_input', 'must be from 1s to 1d', {
    field: 'accessTokenTtl',
    value: '3d',
    predicate: true,
  });
  t.is(describeError(error), '--access-token-ttl must be from 1s to 1d');
  const scope = new AuthServerError('invalid_input', '"read" must be name=description', {
    field: 'scopes',
    value: 'read',
    predicate: true,
  });
  t.is(describeError(scope), '--scope "read" must be name=description');
});

test('a message that names what it is about is shown as it is, field or not', (t) => {
  const error = new AuthServerError(
    'invalid_input',
    `scope "notes:admin" is not defined on the client's resources`,
    { field: 'scopes', index: 1, value: 'notes:admin' },
  );
  t.is(describeError(error), `scope "notes:admin" is not defined on the client's resources`);
  const setting = new AuthServerError('config_invalid', 'PORTCULLIS_PORT must be a port', {
    setting: 'PORTCULLIS_PORT',
  });
  t.is(describeError(setting), 'PORTCULLIS_PORT must be a port');
});

test('every field maps to a flag; a field no command takes keeps its name', (t) => {
  for (const flag of Object.values(FIELD_FLAGS)) t.regex(flag, /^--[a-z][a-z-]*$/);
  t.is(flagOf('redirectUris'), '--redirect-uri');
  t.is(flagOf('keepOld'), '--keep-old');
  t.is(flagOf('somethingNew'), 'somethingNew');
});
