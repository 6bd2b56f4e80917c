/** A response as the tests see it. */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON body; undefined when the response is not JSON or empty (HEAD). */
  readonly body: unknown;
}

/** Options of one request. */
export interface CallOptions {
  method?: string;
  token?: string;
  /** A string or Blob is sent as is; anything else is JSON-encoded with `application/json`. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** Calls the API with fetch and parses a JSON answer. */
export async function call(url: string, options: CallOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | Blob | undefined;
  if (typeof options.body === 'string' || options.body instanceof Blob) body = options.body;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, { method: options.method ?? 'GET', headers, body });
  const text = await response.text();
  const json = response.headers.get('content-type')?.startsWith('application/json');
  return {
    status: response.status,
    headers: response.headers,
    body: json && text !== '' ? JSON.parse(text) : undefined,
  };
}
