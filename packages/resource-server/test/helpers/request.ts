import { connect } from 'node:net';

/** The parts of a response the tests assert on. */
export interface TestResponse {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON body, or undefined when the response is not JSON. */
  readonly body: Record<string, unknown> | undefined;
}

/** GET `url` with the given Authorization header (omitted when undefined). */
export async function get(url: string, authorization?: string): Promise<TestResponse> {
  const headers = authorization === undefined ? undefined : { authorization };
  const response = await fetch(url, { headers });
  const text = await response.text();
  const json = response.headers.get('content-type')?.startsWith('application/json');
  return {
    status: response.status,
    headers: response.headers,
    body: json ? JSON.parse(text) : undefined,
  };
}

/**
 * Sends a GET with exactly the given header lines over a raw socket, for what fetch refuses to
 * send (repeated Authorization headers, odd casing). Koa answers JSON with a Content-Length, so
 * the body is read as is.
 */
export async function rawGet(url: string, headerLines: string[]): Promise<TestResponse> {
  const { hostname, port, pathname, search } = new URL(url);
  const socket = connect(Number(port), hostname);
  const request = [
    `GET ${pathname}${search} HTTP/1.1`,
    `Host: ${hostname}:${port}`,
    'Connection: close',
    ...headerLines,
    '',
    '',
  ].join('\r\n');
  socket.end(request);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const [head = '', payload = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers.append(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: payload === '' ? undefined : JSON.parse(payload),
  };
}
