import type { ExecutionContext } from 'ava';
import type { TestResponse } from './request.ts';

/** 403 `forbidden` with a JSON body and no challenge: no scope would help. */
export function assertForbidden(t: ExecutionContext, response: TestResponse): void {
  t.is(response.status, 403);
  t.is(response.headers.get('www-authenticate'), null);
  t.is(response.headers.get('cache-control'), 'no-store');
  t.is(response.body?.error, 'forbidden');
  t.is(typeof response.body?.error_description, 'string');
}

/** 200 from the test handler of `startRulesApp`. */
export function assertReached(t: ExecutionContext, response: TestResponse, message?: string): void {
  t.is(response.status, 200, message);
  t.is(typeof response.body?.reached, 'string', message);
}
