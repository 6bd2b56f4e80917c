import type { TestResponse } from './request.ts';

/** Sends `method url` with fetch and an optional Authorization header; parses a JSON answer. */
export async function send(
  method: string,
  url: string,
  authorization?: string,
): Promise<TestResponse> {
  const headers = authorization === undefined ? undefined : { authorization };
  const response = await fetch(url, { method, headers });
  const text = await response.text();
  const json = response.headers.get('content-type')?.startsWith('application/json');
  return {
    status: response.status,
    headers: response.headers,
    body: json && text !== '' ? JSON.parse(text) : undefined,
  };
}
