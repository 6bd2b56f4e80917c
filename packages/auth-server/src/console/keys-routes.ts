import type Koa from 'koa';
import { render } from '../routes/respond.ts';
import type { RouteContext } from '../routes/route.ts';
import { problemOf, refused, type SignedIn } from './console-request.ts';
import { problemsOf } from './problems.ts';
import { type FormProblems, NO_PROBLEMS } from './views/form-fields.ts';
import { keyRotationForm } from './views/key-rotation-form.ts';
import { keysPage, type SigningKeyJson } from './views/keys-views.ts';

type Page = (ctx: RouteContext, signed: SignedIn) => Promise<void>;

const canRotate = (signed: SignedIn) => signed.operator.scopes.includes('admin:keys');

/**
 * The signing keys' page over the admin API: the schedule (`GET /admin/v1/keys`, admin:read)
 * and, with admin:keys, a staged rotation (`POST /admin/v1/keys/rotations`), its propagation time
 * checked by the API (its words next to the field; 409 while a staged key still waits).
 * Emergency rotations stay with the CLI: one click should not change every signing key at once.
 *
 * @example
 * const keys = keysRoutes();
 * const route = { method: 'GET', path: '/admin/keys', handler: page(keys.list) };
 */
export function keysRoutes() {
  const show = async (
    ctx: Koa.Context,
    signed: SignedIn,
    form: { status: number; propagation: string; problems: FormProblems },
  ) => {
    const answer = await signed.api<{ items: SigningKeyJson[] }>({ path: '/keys' });
    if (answer.status !== 200) return refused(ctx, answer, signed.operator);
    const { csrf } = signed.operator;
    const rotation = canRotate(signed) ? keyRotationForm({ csrf, ...form }) : undefined;
    const keys = answer.body.items;
    render(ctx, form.status, keysPage({ operator: signed.operator, keys, rotation }));
  };

  const list: Page = (ctx, signed) =>
    show(ctx, signed, { status: 200, propagation: '', problems: NO_PROBLEMS });

  const rotate: Page = async (ctx, signed) => {
    if (!canRotate(signed)) {
      const detail = 'Rotating signing keys needs the admin:keys scope.';
      return refused(ctx, { status: 403, body: { detail }, etag: undefined }, signed.operator);
    }
    const propagation = (signed.form.propagation ?? '').trim();
    const answer = await signed.api({
      method: 'POST',
      path: '/keys/rotations',
      body: propagation ? { propagation } : {},
    });
    if (answer.status === 400) {
      const problems = problemsOf(problemOf(answer));
      return show(ctx, signed, { status: 400, propagation, problems });
    }
    if (answer.status !== 201) return refused(ctx, answer, signed.operator);
    ctx.redirect('/admin/keys');
    ctx.status = 303;
  };

  return { list, rotate };
}
