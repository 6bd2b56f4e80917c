import type Koa from 'koa';
import { render } from '../routes/respond.ts';
import type { HostRoute, RouteHandler } from '../routes/route.ts';
import { html } from '../views/html.ts';
import type { ApiAnswer } from './admin-api-client.ts';
import {
  needsScope,
  type ConsolePage as Page,
  problemOf,
  refused,
  type SignedIn,
  seeOther,
} from './console-request.ts';
import { afterRead, answerForm } from './form-answers.ts';
import { problemsOf } from './problems.ts';
import { confirmPage } from './views/confirm-views.ts';
import { NO_PROBLEMS } from './views/form-fields.ts';
import {
  emailPage,
  newUserPage,
  passwordPage,
  rolePage,
  type UserFormValues,
} from './views/user-forms-views.ts';
import type { UserJson } from './views/users-views.ts';

const userPath = (id: string) => `/admin/users/${encodeURIComponent(id)}`;

// Problems of no field: the user's name is the one refusal that does not point at its field
// (its message names it first, as the CLI prints it).
const WORDING: ReadonlyArray<readonly [RegExp, string]> = [[/^name /, 'name']];
const problems = (answer: ApiAnswer) => problemsOf(problemOf(answer), { wording: WORDING });

/**
 * The users' forms over the admin API (admin:users, as every users operation): create a user,
 * change their address, set a new password (never echoed back: a refused form comes back with
 * the password field empty), delete them after a confirmation step, and give or take a role.
 * Each change of an existing user sends the ETag the page was rendered with (If-Match): a user
 * changed meanwhile is refused with 412 and nothing is done.
 *
 * @example
 * const forms = userFormsRoutes();
 * const route = { method: 'POST', path: '/admin/users', handler: page(forms.create) };
 */
export function userFormsRoutes() {
  const read = (signed: SignedIn, ctx: Koa.Context) =>
    signed.api<UserJson>({ path: `/users/${encodeURIComponent(ctx.params.user ?? '')}` });

  // A change of the user of the path: PATCH, PUT, POST or DELETE with the form's ETag.
  const change = (
    signed: SignedIn,
    ctx: Koa.Context,
    request: { method: 'PATCH' | 'PUT' | 'POST' | 'DELETE'; path?: string; body?: unknown },
  ) =>
    signed.api<UserJson>({
      method: request.method,
      path: `/users/${encodeURIComponent(ctx.params.user ?? '')}${request.path ?? ''}`,
      ...(request.body === undefined ? {} : { body: request.body }),
      ifMatch: signed.form.etag ?? '',
    });

  // A refused change's form again, for the user as they are now, with the API's messages.
  const formAgain = async (
    ctx: Koa.Context,
    signed: SignedIn,
    answer: ApiAnswer,
    draw: (user: UserJson, etag: string) => string,
  ) => {
    const current = await read(signed, ctx);
    if (current.status !== 200) return refused(ctx, current, signed.operator);
    render(ctx, answer.status, draw(current.body, signed.form.etag ?? ''));
  };

  const showNew: Page = async (ctx, signed) => {
    const values = { username: '', email: '', name: '' };
    render(ctx, 200, newUserPage({ operator: signed.operator, values, problems: NO_PROBLEMS }));
  };

  const create: Page = async (ctx, signed) => {
    const values: UserFormValues = {
      username: (signed.form.username ?? '').trim(),
      email: (signed.form.email ?? '').trim(),
      name: (signed.form.name ?? '').trim(),
    };
    const answer = await signed.api<UserJson>({
      method: 'POST',
      path: '/users',
      body: {
        username: values.username,
        password: signed.form.password ?? '',
        ...(values.email ? { email: values.email } : {}),
        ...(values.name ? { name: values.name } : {}),
      },
    });
    await answerForm(ctx, signed, answer, {
      ok: 201,
      again: () =>
        render(
          ctx,
          answer.status,
          newUserPage({ operator: signed.operator, values, problems: problems(answer) }),
        ),
      next: (user) => `${userPath(user.id)}?done=created`,
    });
  };

  const showEmail = afterRead(read, (ctx, signed, user, etag) => {
    const page = emailPage({
      operator: signed.operator,
      user,
      etag,
      email: user.email ?? '',
      problems: NO_PROBLEMS,
    });
    render(ctx, 200, page);
  });

  const setEmail: Page = async (ctx, signed) => {
    const email = (signed.form.email ?? '').trim();
    const answer = await change(signed, ctx, {
      method: 'PATCH',
      body: { email: email === '' ? null : email },
    });
    await answerForm(ctx, signed, answer, {
      ok: 200,
      again: () =>
        formAgain(ctx, signed, answer, (user, etag) =>
          emailPage({ operator: signed.operator, user, etag, email, problems: problems(answer) }),
        ),
      next: (user) => `${userPath(user.id)}?done=email`,
    });
  };

  const showPassword = afterRead(read, (ctx, signed, user, etag) => {
    render(
      ctx,
      200,
      passwordPage({ operator: signed.operator, user, etag, problems: NO_PROBLEMS }),
    );
  });

  const setPassword: Page = async (ctx, signed) => {
    const answer = await change(signed, ctx, {
      method: 'PUT',
      path: '/password',
      body: { password: signed.form.password ?? '' },
    });
    await answerForm(ctx, signed, answer, {
      ok: 200,
      again: () =>
        formAgain(ctx, signed, answer, (user, etag) =>
          passwordPage({ operator: signed.operator, user, etag, problems: problems(answer) }),
        ),
      next: (user) => `${userPath(user.id)}?done=password`,
    });
  };

  const confirmDelete = afterRead(read, (ctx, signed, user, etag) => {
    const path = userPath(user.id);
    const page = confirmPage({
      operator: signed.operator,
      section: 'users',
      title: `Delete ${user.username}?`,
      message: html`<p>Deleting ${user.username} ends their sessions and revokes every grant and token issued to them; their roles and second factors go too. It cannot be undone: to stop them signing in for a while, disable them instead.</p>`,
      action: `${path}/delete`,
      etag,
      button: 'Delete the user',
      back: { href: path, label: 'Keep them' },
    });
    render(ctx, 200, page);
  });

  const remove: Page = async (ctx, signed) => {
    const answer = await change(signed, ctx, { method: 'DELETE' });
    if (answer.status !== 204 && answer.status !== 200) {
      return refused(ctx, answer, signed.operator);
    }
    seeOther(ctx, '/admin/users?done=deleted');
  };

  const addRole: Page = async (ctx, signed) => {
    const role = (signed.form.role ?? '').trim();
    const answer = await change(signed, ctx, { method: 'POST', path: '/roles', body: { role } });
    await answerForm(ctx, signed, answer, {
      ok: 200,
      again: () =>
        formAgain(ctx, signed, answer, (user, etag) =>
          rolePage({ operator: signed.operator, user, etag, role, problems: problems(answer) }),
        ),
      next: (user) => `${userPath(user.id)}?done=role-added`,
    });
  };

  const removeRole: Page = async (ctx, signed) => {
    const role = encodeURIComponent(ctx.params.role ?? '');
    const answer = await change(signed, ctx, { method: 'DELETE', path: `/roles/${role}` });
    if (answer.status !== 200) return refused(ctx, answer, signed.operator);
    seeOther(ctx, `${userPath(answer.body.id)}?done=role-removed`);
  };

  // Forms an operator without admin:users could only send to a refusal are not even shown.
  const users = needsScope('admin:users', 'Managing users', {
    href: '/admin',
    label: 'Back to the console',
  });
  return {
    showNew: users(showNew),
    create: users(create),
    showEmail: users(showEmail),
    setEmail: users(setEmail),
    showPassword: users(showPassword),
    setPassword: users(setPassword),
    confirmDelete: users(confirmDelete),
    remove: users(remove),
    addRole: users(addRole),
    removeRole: users(removeRole),
  };
}

/**
 * The host routes of a user's forms below `user` (`/admin/users/:user`), each through `page` (the
 * console's boundary: session, CSRF); the new user's form and its POST sit beside the list's.
 *
 * @example
 * const routes = userFormRoutes('/admin/users/:user', page, userFormsRoutes());
 */
export function userFormRoutes(
  user: string,
  page: (handler: Page) => RouteHandler,
  forms: ReturnType<typeof userFormsRoutes>,
): HostRoute[] {
  const both = (name: string, path: string, show: Page, post: Page): HostRoute[] => [
    { name, method: 'GET', path: `${user}${path}`, handler: page(show) },
    { name, method: 'POST', path: `${user}${path}`, handler: page(post) },
  ];
  return [
    ...both('console_user_email', '/email', forms.showEmail, forms.setEmail),
    ...both('console_user_password', '/password', forms.showPassword, forms.setPassword),
    ...both('console_user_delete', '/delete', forms.confirmDelete, forms.remove),
    {
      name: 'console_user_roles',
      method: 'POST',
      path: `${user}/roles`,
      handler: page(forms.addRole),
    },
    {
      name: 'console_user_role_remove',
      method: 'POST',
      path: `${user}/roles/:role/remove`,
      handler: page(forms.removeRole),
    },
  ];
}
