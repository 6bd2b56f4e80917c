import type { ExecutionContext } from 'ava';
import { AUDIENCE } from './mint-token.ts';
import type { TestResponse } from './request.ts';

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
// A fixed description: printable ASCII without quotes or backslashes.
const description = '[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]+';

function assertBody(t: ExecutionContext, response: TestResponse, error: string): void {
  t.is(response.body?.error, error);
  t.is(typeof response.body?.error_description, 'string');
}

/** 401 with a bare `Bearer realm="..."` challenge: no credentials were sent. */
export function assertNoCredentials(t: ExecutionContext, response: TestResponse, realm = AUDIENCE) {
  t.is(response.status, 401);
  t.is(response.headers.get('www-authenticate'), `Bearer realm="${realm}"`);
  assertBody(t, response, 'unauthorized');
}

/** 401 `invalid_token` with its challenge. */
export function assertInvalidToken(t: ExecutionContext, response: TestResponse, realm = AUDIENCE) {
  t.is(response.status, 401);
  t.regex(
    response.headers.get('www-authenticate') ?? '',
    new RegExp(
      `^Bearer realm="${escapeRegExp(realm)}", error="invalid_token", error_description="${description}"$`,
    ),
  );
  assertBody(t, response, 'invalid_token');
}

/** 400 `invalid_request` with its challenge. */
export function assertInvalidRequest(t: ExecutionContext, response: TestResponse) {
  t.is(response.status, 400);
  t.regex(
    response.headers.get('www-authenticate') ?? '',
    new RegExp(
      `^Bearer realm="${escapeRegExp(AUDIENCE)}", error="invalid_request", error_description="${description}"$`,
    ),
  );
  assertBody(t, response, 'invalid_request');
}

/** 403 `insufficient_scope` naming every required scope. */
export function assertInsufficientScope(
  t: ExecutionContext,
  response: TestResponse,
  scope: string,
) {
  t.is(response.status, 403);
  t.regex(
    response.headers.get('www-authenticate') ?? '',
    new RegExp(
      `^Bearer realm="${escapeRegExp(AUDIENCE)}", error="insufficient_scope", error_description="${description}", scope="${escapeRegExp(scope)}"$`,
    ),
  );
  assertBody(t, response, 'insufficient_scope');
}

/** 503 with Retry-After and no challenge: the issuer could not be reached. */
export function assertUnavailable(t: ExecutionContext, response: TestResponse) {
  t.is(response.status, 503);
  t.regex(response.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
  t.is(response.headers.get('www-authenticate'), null);
  assertBody(t, response, 'temporarily_unavailable');
}
