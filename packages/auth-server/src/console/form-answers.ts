import type Koa from 'koa';
import type { ApiAnswer } from './admin-api-client.ts';
import { type ConsolePage, refused, type SignedIn, seeOther } from './console-request.ts';

/**
 * Answers the admin API's answer to a form's change: a refusal of its values (400, or 409 for a
 * taken name) shows the form again (`again`, with the API's problems next to their fields);
 * `ok` goes on to the page `next` names (303); anything else is the refusal's page (403, 404,
 * 412...).
 *
 * @example
 * const answer = await signed.api<UserJson>({ method: 'POST', path: '/users', body });
 * return answerForm(ctx, signed, answer, { ok: 201, again, next: (user) => `/admin/users/${user.id}` });
 */
export async function answerForm<T>(
  ctx: Koa.Context,
  signed: SignedIn,
  answer: ApiAnswer<T>,
  options: {
    ok: number;
    again: (answer: ApiAnswer<T>) => void | Promise<void>;
    next: (body: T) => string;
  },
): Promise<void> {
  if (answer.status === 400 || answer.status === 409) return options.again(answer);
  if (answer.status !== options.ok) return refused(ctx, answer, signed.operator);
  seeOther(ctx, options.next(answer.body));
}

/**
 * A page about one thing the admin API reads first (`read`, by the request's path): `show` gets
 * its body and ETag (which the page's forms send back as If-Match); a refusal (404, 403) is the
 * refusal's page.
 *
 * @example
 * const edit = afterRead(readUser, (ctx, signed, user, etag) => render(ctx, 200, page(user, etag)));
 */
export function afterRead<T>(
  read: (signed: SignedIn, ctx: Koa.Context) => Promise<ApiAnswer<T>>,
  show: (ctx: Koa.Context, signed: SignedIn, body: T, etag: string) => void | Promise<void>,
): ConsolePage {
  return async (ctx, signed) => {
    const answer = await read(signed, ctx);
    if (answer.status !== 200) return refused(ctx, answer, signed.operator);
    return show(ctx, signed, answer.body, answer.etag ?? '');
  };
}
