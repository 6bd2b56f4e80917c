import type Koa from 'koa';
import { AdminProblem } from './problem.ts';

/** The largest request body the admin API reads: 64 KiB (a client with a large JWK Set fits). */
const ADMIN_BODY_LIMIT = 64 * 1024;

/**
 * The JSON body of an admin request, at most {@link ADMIN_BODY_LIMIT} bytes, or undefined when
 * there is none. Only `application/json` (and `application/merge-patch+json`, what PATCH bodies
 * are) is read; a body that is not JSON is a 400 problem.
 *
 * @example
 * const body = await readJsonBody(ctx);
 */
export async function readJsonBody(ctx: Koa.Context): Promise<unknown> {
  const length = Number(ctx.get('content-length') || 0);
  const chunked = ctx.get('transfer-encoding') !== '';
  if (length === 0 && !chunked) return undefined;
  if (!ctx.is('application/json', 'application/merge-patch+json')) {
    throw new AdminProblem('unsupported-media-type', 'the body must be application/json');
  }
  if (length > ADMIN_BODY_LIMIT) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > ADMIN_BODY_LIMIT) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new AdminProblem('invalid-request', 'the body is not valid JSON');
  }
}

const tooLarge = () =>
  new AdminProblem('payload-too-large', `the body is larger than ${ADMIN_BODY_LIMIT / 1024} KiB`);
