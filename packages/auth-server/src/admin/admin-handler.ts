import {
  type AuthenticatedState,
  type ResourceServer,
  requireScopes,
} from '@portcullis/resource-server';
import type { Database } from '@portcullis/storage';
import type Koa from 'koa';
import type { Logger } from '../observability/logger.ts';
import type { RouteContext, RouteHandler } from '../routes/route.ts';
import type { AdminCall, AdminOperation, AdminReply } from './admin-operation.ts';
import { etagOf, ifMatches } from './etag.ts';
import { AdminProblem, type ProblemKind, problemBody, sendProblem } from './problem.ts';
import { readJsonBody } from './read-json-body.ts';
import type { OperationChecks } from './schema-validator.ts';
import { serviceProblem } from './service-problem.ts';

/** What {@link adminHandler} needs. */
export interface AdminHandlerDeps {
  db: Database;
  rs: ResourceServer;
  logger: Logger;
  /** Check every response against the document (development and tests); a mismatch is a 500. */
  checkResponses: boolean;
}

const REFUSALS: Readonly<Record<number, ProblemKind>> = {
  400: 'invalid-request',
  401: 'unauthorized',
  403: 'forbidden',
  503: 'unavailable',
};

// A resource-server middleware whose refusal (401 with its WWW-Authenticate challenge, 403
// insufficient_scope...) is answered as problem details, keeping its headers and error code.
function asProblem(middleware: Koa.Middleware): Koa.Middleware {
  return async (ctx, next) => {
    let passed = false;
    await middleware(ctx, async () => {
      passed = true;
      await next();
    });
    if (passed || ctx.status < 400) return;
    const refusal = (ctx.body ?? {}) as { error?: string; error_description?: string };
    const kind = REFUSALS[ctx.status] ?? 'invalid-request';
    const body = problemBody(kind, refusal.error_description ?? refusal.error ?? 'refused');
    ctx.type = 'application/problem+json';
    ctx.body = JSON.stringify({ ...body, status: ctx.status, error: refusal.error });
  };
}

// Who the audit trail names: the client for its own token (client credentials: sub is the
// client), otherwise the user the token was issued for.
const actorOf = (ctx: RouteContext): string => {
  const { auth } = ctx.state as Partial<AuthenticatedState>;
  if (!auth) return 'anonymous';
  return auth.subject === auth.clientId ? `client:${auth.clientId}` : `user:${auth.subject}`;
};

const queryOf = (ctx: RouteContext) =>
  Object.fromEntries(Object.entries(ctx.query)) as Record<string, string | string[] | undefined>;

/**
 * The HostRoute handler of one admin operation: its problem-details boundary, the access token
 * (`rs.authenticate()` and the operation's scope), the query and body checked against the
 * OpenAPI document, `If-Match` for conditional changes, the operation itself, and its response
 * checked against the document when `checkResponses`. Every refusal is RFC 9457 problem details;
 * a bug is a 500 with a generic body, its stack only in the log.
 *
 * @example
 * const handler = adminHandler(deps, operation, validator.get(operation.operationId)!);
 */
export function adminHandler(
  deps: AdminHandlerDeps,
  operation: AdminOperation,
  checks: OperationChecks,
): RouteHandler {
  const guard: Koa.Middleware[] = operation.scope
    ? [
        asProblem(deps.rs.authenticate() as unknown as Koa.Middleware),
        asProblem(requireScopes(operation.scope) as unknown as Koa.Middleware),
      ]
    : [];

  const execute = async (ctx: RouteContext): Promise<void> => {
    const queryProblems = checks.query(queryOf(ctx));
    if (queryProblems.length > 0) {
      throw new AdminProblem('invalid-request', queryProblems[0]?.detail ?? '', queryProblems);
    }
    const body = await readJsonBody(ctx);
    if (checks.body && body !== undefined) {
      const problems = checks.body(body);
      if (problems.length > 0) {
        throw new AdminProblem('invalid-input', problems[0]?.detail ?? '', problems);
      }
    }
    const call: AdminCall = {
      params: ctx.params,
      query: queryOf(ctx),
      body,
      actor: actorOf(ctx),
      scopes: (ctx.state as Partial<AuthenticatedState>).auth?.scopes ?? new Set(),
      address: ctx.ip,
      db: deps.db,
    };
    const reply = operation.version ? await conditionally(ctx, call) : await operation.run(call);
    send(ctx, reply);
  };

  const conditionally = async (ctx: RouteContext, call: AdminCall): Promise<AdminReply> => {
    const { version } = operation;
    const header = ctx.get('if-match');
    if (!version) return operation.run(call);
    if (header === '') {
      throw new AdminProblem(
        'precondition-required',
        'send If-Match with the ETag of your last read, so that no change made since is overwritten',
      );
    }
    // `version` locks what it reads: a concurrent change waits for this transaction, then
    // reads its result and fails the If-Match.
    return deps.db.transaction(async (trx) => {
      const current = await version({ ...call, db: trx });
      if (!ifMatches(header, etagOf(current))) {
        throw new AdminProblem(
          'precondition-failed',
          'it changed since you read it: read it again (GET) and send its new ETag',
        );
      }
      return operation.run({ ...call, db: trx });
    });
  };

  const send = (ctx: RouteContext, reply: AdminReply) => {
    if (deps.checkResponses) {
      const mismatches = checks.response(reply.status, reply.body ?? null);
      if (mismatches.length > 0 && reply.body !== undefined) {
        throw new Error(
          `${operation.operationId} answered ${reply.status} off its document: ${mismatches.join('; ')}`,
        );
      }
    }
    ctx.status = reply.status;
    ctx.set('cache-control', 'no-store');
    if (reply.etag) ctx.set('etag', reply.etag);
    if (reply.location) ctx.set('location', reply.location);
    if (reply.body !== undefined) ctx.body = reply.body;
  };

  const boundary = async (ctx: RouteContext): Promise<void> => {
    try {
      await execute(ctx);
    } catch (error) {
      const problem = serviceProblem(error, operation.fieldKeys);
      if (problem) {
        if (problem.kind === 'unavailable') ctx.set('retry-after', '5');
        return sendProblem(ctx, problem);
      }
      deps.logger.error('admin API operation failed', {
        operation: operation.operationId,
        error: error instanceof Error ? error.stack : String(error),
      });
      sendProblem(ctx, new AdminProblem('internal', 'the operation failed: see the server log'));
    }
  };

  return async (ctx) => {
    const chain = [...guard, (c: Koa.Context) => boundary(c as RouteContext)];
    const run = (index: number): Promise<void> => {
      const step = chain[index];
      if (!step) return Promise.resolve();
      return Promise.resolve(step(ctx, () => run(index + 1)));
    };
    await run(0);
  };
}
