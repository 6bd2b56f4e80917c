import type { IncomingMessage } from 'node:http';
import type { JWK } from 'jose';
import { AUDIENCE, ISSUER, NOW } from './mint-token.ts';
import { startHttpServer } from './start-http-server.ts';

/** One request received at the introspection endpoint. */
export interface IntrospectionCall {
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly form: URLSearchParams;
}

/** A fake authorization server with metadata, a JWKS and an introspection endpoint. */
export interface TestIntrospectionServer {
  /** Base URL, also the issuer of its metadata. */
  readonly url: string;
  /** `${url}/introspect`. */
  readonly endpoint: string;
  /** Every introspection request, in order. */
  readonly calls: IntrospectionCall[];
  /** Answers per token; a token not listed gets `{"active": false}`. */
  readonly answers: Map<string, Record<string, unknown>>;
  /** Keys served at `/jwks`. */
  keys: JWK[];
  /** When set, introspection answers this status with `{}`. */
  failWith: number | undefined;
  /** When set, introspection answers this raw body (status 200) instead. */
  rawBody: string | undefined;
  /** Delay before answering introspection, in ms. */
  delayMs: number;
  /** Overrides of the metadata document. */
  metadata: Record<string, unknown>;
  close(): Promise<void>;
}

/** An active answer for a token issued to `client-1` for the test audience, valid at NOW. */
export function activeAnswer(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const answer: Record<string, unknown> = {
    active: true,
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    client_id: 'client-1',
    scope: 'notes:read',
    token_type: 'Bearer',
    iat: NOW - 10,
    exp: NOW + 300,
    ...overrides,
  };
  for (const [name, value] of Object.entries(answer)) {
    if (value === undefined) delete answer[name];
  }
  return answer;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the fake server on 127.0.0.1. */
export async function startIntrospectionServer(): Promise<TestIntrospectionServer> {
  const calls: IntrospectionCall[] = [];
  const answers = new Map<string, Record<string, unknown>>();
  const state = {
    keys: [] as JWK[],
    failWith: undefined as number | undefined,
    rawBody: undefined as string | undefined,
    delayMs: 0,
    metadata: {} as Record<string, unknown>,
  };
  const server = await startHttpServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    res.setHeader('content-type', 'application/json');
    if (path === '/.well-known/oauth-authorization-server') {
      res.end(
        JSON.stringify({
          issuer: server.url,
          jwks_uri: `${server.url}/jwks`,
          introspection_endpoint: `${server.url}/introspect`,
          ...state.metadata,
        }),
      );
      return;
    }
    if (path === '/jwks') {
      res.end(JSON.stringify({ keys: state.keys }));
      return;
    }
    if (path !== '/introspect' || req.method !== 'POST') {
      res.statusCode = 404;
      res.end('{}');
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    calls.push({
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      form,
    });
    if (state.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
    if (state.failWith !== undefined) {
      res.statusCode = state.failWith;
      res.end('{}');
    } else if (state.rawBody !== undefined) {
      res.end(state.rawBody);
    } else {
      res.end(JSON.stringify(answers.get(form.get('token') ?? '') ?? { active: false }));
    }
  });
  return Object.assign(state, {
    url: server.url,
    endpoint: `${server.url}/introspect`,
    calls,
    answers,
    close: server.close,
  });
}
