import { connect } from 'node:net';

/** A response read off a raw socket. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly body: Record<string, unknown> | undefined;
}

/**
 * Sends `METHOD target HTTP/1.1` with the request target exactly as given (fetch and URL would
 * resolve `..`, fold backslashes and re-encode), plus `headerLines`.
 */
export async function rawRequest(
  baseUrl: string,
  method: string,
  target: string,
  headerLines: string[] = [],
): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect(Number(port), hostname);
  const request = Buffer.concat([
    Buffer.from(`${method} `, 'latin1'),
    // The target's bytes as written: a test may put raw UTF-8 or control bytes in it.
    Buffer.from(target, 'utf8'),
    Buffer.from(
      [' HTTP/1.1', `Host: ${hostname}:${port}`, 'Connection: close', ...headerLines, '', ''].join(
        '\r\n',
      ),
      'latin1',
    ),
  ]);
  // Write without ending: a half-closed socket may be dropped while the server is still busy
  // (fetching keys, say); `Connection: close` has the server close it after the response.
  socket.write(request);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const text = split === -1 ? '' : raw.slice(split + 4);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.append(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const json = headers.get('content-type')?.startsWith('application/json');
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    text,
    body: json && text !== '' ? JSON.parse(text) : undefined,
  };
}
