import type { JWK } from 'jose';
import { startHttpServer } from './start-http-server.ts';

/** A fake authorization server publishing metadata and a JWKS, counting every request. */
export interface TestIssuer {
  /** The issuer identifier (its base URL). */
  readonly url: string;
  readonly jwksUri: string;
  /** Requests per path, e.g. `hits.get('/jwks')`. */
  readonly hits: Map<string, number>;
  /** Keys served at `/jwks`; replace to rotate. */
  keys: JWK[];
  /** When set, every request is answered with this status and an empty JSON object. */
  failWith: number | undefined;
  /** Overrides of the metadata document. */
  metadata: Record<string, unknown>;
  close(): Promise<void>;
}

/**
 * Starts a fake issuer serving `/jwks`, `/.well-known/oauth-authorization-server`, and
 * `/not-a-jwks` (200 with JSON that is not a key set).
 */
export async function startIssuer(keys: JWK[] = []): Promise<TestIssuer> {
  const state = { keys, failWith: undefined as number | undefined, metadata: {} };
  const hits = new Map<string, number>();
  const server = await startHttpServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    res.setHeader('content-type', 'application/json');
    if (state.failWith !== undefined) {
      res.statusCode = state.failWith;
      res.end('{}');
    } else if (path === '/not-a-jwks') {
      res.end('"not a key set"');
    } else if (path === '/jwks') {
      res.end(JSON.stringify({ keys: state.keys }));
    } else if (path === '/.well-known/oauth-authorization-server') {
      res.end(
        JSON.stringify({ issuer: server.url, jwks_uri: `${server.url}/jwks`, ...state.metadata }),
      );
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  return Object.assign(state, {
    url: server.url,
    jwksUri: `${server.url}/jwks`,
    hits,
    close: server.close,
  });
}
