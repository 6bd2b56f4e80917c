import { isDatabaseUnavailable } from '@portcullis/storage';
import type Koa from 'koa';
import { REGISTRATION_PATH } from '../domain/registration-path.ts';
import type { ClientAuthLimits } from '../limits/client-auth-limits.ts';
import type { OpenRegistrationLimits } from '../limits/open-registration-limits.ts';
import type { DynamicRegistration, RegisteredClient } from '../services/registration/index.ts';
import type { RouteContext, RouteHandler } from './route.ts';

const BODY_LIMIT = 16 * 1024;

/** What the registration routes need. */
export interface RegistrationDeps {
  registration: DynamicRegistration;
  /** Failed initial and registration access tokens count as failed client authentication. */
  limits: ClientAuthLimits;
  /** The issuer's origin: `registration_client_uri` is built on it, never on `Host`. */
  issuer: string;
  /**
   * Registrations without an initial access token, counted per address; given only when
   * registration is open (PORTCULLIS_REGISTRATION_OPEN_RESOURCES).
   */
  openLimits?: OpenRegistrationLimits;
}

// A refusal with its HTTP status and RFC 6749 error body.
class Refusal extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// Over the open-registration limit: 429 with Retry-After, nothing registered.
class TooMany extends Refusal {
  readonly retryAfter: number;

  constructor(retryAfter: number) {
    super(
      429,
      'invalid_request',
      'too many registrations from this address: retry after the number of seconds in Retry-After',
    );
    this.retryAfter = retryAfter;
  }
}

// The bearer token of `Authorization`, or undefined when there is none (RFC 6750 §2.1).
function bearerToken(ctx: Koa.Context): string | undefined {
  const match = /^Bearer +([\w.~+/-]+=*)$/i.exec(ctx.get('authorization'));
  return match?.[1];
}

// The JSON body, at most 16 KiB.
async function readJson(ctx: Koa.Context): Promise<unknown> {
  if (!ctx.is('application/json')) {
    throw new Refusal(400, 'invalid_request', 'the request body must be application/json');
  }
  if (Number(ctx.get('content-length') || 0) > BODY_LIMIT) {
    throw new Refusal(413, 'invalid_request', 'the request body is too large');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT)
      throw new Refusal(413, 'invalid_request', 'the request body is too large');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new Refusal(400, 'invalid_client_metadata', 'the request body is not valid JSON');
  }
}

/**
 * The routes of dynamic client registration (RFC 7591) and its management (RFC 7592), mounted
 * only when PORTCULLIS_REGISTRATION is on. Every answer carries `Cache-Control: no-store` (they
 * hold secrets). A missing or wrong token gets 401 `invalid_token` with a Bearer challenge and is
 * counted like a failed client authentication (per address, and per client for a registration
 * access token); over a limit, 429 with `Retry-After` and the same body. Refused metadata gets
 * 400 `invalid_redirect_uri` or `invalid_client_metadata`; an unreachable database, 503.
 *
 * @example
 * const routes = registrationRoutes({ registration, limits: limits.clientAuth, issuer });
 */
export function registrationRoutes(deps: RegistrationDeps) {
  const origin = new URL(deps.issuer).origin;
  const clientUri = (clientId: string) =>
    `${origin}${REGISTRATION_PATH}/${encodeURIComponent(clientId)}`;

  const respond = (ctx: Koa.Context, status: number, registered: RegisteredClient) => {
    ctx.status = status;
    ctx.body = {
      ...registered.metadata,
      registration_access_token: registered.registrationAccessToken,
      registration_client_uri: clientUri(registered.client.id),
    };
  };

  // Answers what `work` throws; counts a bad token as a failed client authentication.
  const guarded =
    (work: (ctx: RouteContext) => Promise<void>): RouteHandler =>
    async (ctx) => {
      ctx.set('Cache-Control', 'no-store');
      ctx.set('Pragma', 'no-cache');
      try {
        await work(ctx);
      } catch (error) {
        const { status, code, message } = refusal(error);
        ctx.status = status;
        ctx.body = { error: code, error_description: message };
        if (status === 503) ctx.set('Retry-After', '5');
        if (error instanceof TooMany) ctx.set('Retry-After', String(error.retryAfter));
        if (code !== 'invalid_token') return;
        ctx.set(
          'WWW-Authenticate',
          bearerToken(ctx) ? 'Bearer error="invalid_token"' : 'Bearer realm="registration"',
        );
        const retryAfter = await deps.limits.failed({
          ...(ctx.params.clientId ? { clientId: ctx.params.clientId } : {}),
          address: ctx.ip,
          endpoint: 'registration',
        });
        if (retryAfter !== undefined) {
          ctx.status = 429;
          ctx.set('Retry-After', String(retryAfter));
          ctx.remove('WWW-Authenticate');
        }
      }
    };

  return {
    register: guarded(async (ctx) => {
      // No Authorization at all asks for an open registration; one that is not a bearer token
      // is a wrong initial access token (''), never an open registration.
      const anonymous = ctx.get('authorization') === '';
      // Open registration: every attempt without a token counts, before anything is read.
      if (deps.openLimits && anonymous) {
        const retryAfter = await deps.openLimits.count(ctx.ip);
        if (retryAfter !== undefined) throw new TooMany(retryAfter);
      }
      const body = await readJson(ctx);
      const presented = anonymous ? undefined : (bearerToken(ctx) ?? '');
      respond(ctx, 201, await deps.registration.register(presented, body, { address: ctx.ip }));
    }),
    read: guarded(async (ctx) => {
      respond(
        ctx,
        200,
        await deps.registration.read(ctx.params.clientId as string, bearerToken(ctx)),
      );
    }),
    update: guarded(async (ctx) => {
      const body = await readJson(ctx);
      const id = ctx.params.clientId as string;
      respond(
        ctx,
        200,
        await deps.registration.update(id, bearerToken(ctx), body, { address: ctx.ip }),
      );
    }),
    remove: guarded(async (ctx) => {
      await deps.registration.delete(ctx.params.clientId as string, bearerToken(ctx), {
        address: ctx.ip,
      });
      ctx.status = 204;
    }),
  };
}

function refusal(error: unknown): { status: number; code: string; message: string } {
  if (error instanceof Refusal)
    return { status: error.status, code: error.code, message: error.message };
  const known = error as { name?: unknown; status?: number; code?: string; message?: string };
  if (known?.name === 'RegistrationError') {
    return {
      status: known.status as number,
      code: known.code as string,
      message: known.message as string,
    };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      status: 503,
      code: 'temporarily_unavailable',
      message: 'the service is temporarily unavailable, retry later',
    };
  }
  throw error;
}
