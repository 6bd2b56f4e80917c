import type Koa from 'koa';
import { render } from '../routes/respond.ts';
import { html } from '../views/html.ts';
import type { ApiAnswer } from './admin-api-client.ts';
import { apiPage, listRequest } from './api-pages.ts';
import {
  doneNotice,
  needsScope,
  type ConsolePage as Page,
  problemOf,
  refused,
  type SignedIn,
  seeOther,
} from './console-request.ts';
import { afterRead, answerForm } from './form-answers.ts';
import { problemsOf } from './problems.ts';
import {
  createResourceBody,
  NEW_RESOURCE,
  RESOURCE_FIELD_ALIASES,
  resourceFormValues,
  resourceValuesOf,
  updateResourceBody,
} from './resource-form.ts';
import { confirmPage } from './views/confirm-views.ts';
import { checkbox, NO_PROBLEMS } from './views/form-fields.ts';
import { type ResourceFormValues, resourceFormPage } from './views/resource-form-views.ts';
import {
  type ClientRefJson,
  type ResourceJson,
  resourcePage,
  resourcesPage,
} from './views/resources-views.ts';

// What a successful change says on the next page: fixed sentences, never text from the URL.
const NOTICES: Readonly<Record<string, string>> = {
  created: 'Resource registered.',
  saved: 'Changes saved.',
  unchanged: 'Nothing to save: the form had no change.',
  deleted: 'Resource deleted, with its scopes and the tokens stored for it.',
};

const resourcePath = (identifier: string) => `/admin/resources/${encodeURIComponent(identifier)}`;
const noticeOf = (ctx: Koa.Context) => doneNotice(ctx, NOTICES);

// The form again, as the operator filled it in, with the API's problems next to their fields.
function refusedForm(
  ctx: Koa.Context,
  signed: SignedIn,
  answer: ApiAnswer,
  values: ResourceFormValues,
  editing?: { identifier: string; etag: string },
): void {
  const problems = problemsOf(problemOf(answer), { aliases: RESOURCE_FIELD_ALIASES, wording: [] });
  render(
    ctx,
    answer.status,
    resourceFormPage({
      operator: signed.operator,
      values,
      problems,
      ...(editing ? { editing } : {}),
    }),
  );
}

/**
 * The resources' pages over the admin API: the list (paged by the API's cursor) and a resource
 * with the clients allowed it (admin:read); with admin:write, the registration and edit forms
 * (the API's problems next to their fields) and a deletion after a confirmation step. Every
 * change sends the ETag the page was rendered with (If-Match): a resource changed meanwhile is
 * refused with 412 and nothing is done.
 *
 * @example
 * const resources = resourcesRoutes();
 * const route = { method: 'GET', path: '/admin/resources', handler: page(resources.list) };
 */
export function resourcesRoutes() {
  const canWrite = (signed: SignedIn) => signed.operator.scopes.includes('admin:write');

  const read = (signed: SignedIn, ctx: Koa.Context) =>
    signed.api<{ resource: ResourceJson; clients: ClientRefJson[] }>({
      path: `/resources/${encodeURIComponent(ctx.params.resource ?? '')}`,
    });

  const list: Page = async (ctx, signed) => {
    const request = listRequest(ctx);
    const answer = await apiPage<ResourceJson>(signed, '/resources', request);
    if (answer.status !== 200) return refused(ctx, answer, signed.operator);
    const { items, next_cursor: next } = answer.body;
    const notice = noticeOf(ctx);
    render(
      ctx,
      200,
      resourcesPage({
        operator: signed.operator,
        resources: items,
        query: request.q,
        canWrite: canWrite(signed),
        ...(next ? { next } : {}),
        ...(notice ? { notice } : {}),
      }),
    );
  };

  const show = afterRead(read, (ctx, signed, { resource, clients }) => {
    const notice = noticeOf(ctx);
    render(
      ctx,
      200,
      resourcePage({
        operator: signed.operator,
        resource,
        clients,
        canWrite: canWrite(signed),
        ...(notice ? { notice } : {}),
      }),
    );
  });

  const writer = needsScope('admin:write', 'Changing resources', {
    href: '/admin/resources',
    label: 'Back to the resources',
  });

  const showNew: Page = async (ctx, signed) => {
    render(
      ctx,
      200,
      resourceFormPage({ operator: signed.operator, values: NEW_RESOURCE, problems: NO_PROBLEMS }),
    );
  };

  const create: Page = async (ctx, signed) => {
    const values = resourceFormValues(signed.form);
    const answer = await signed.api<ResourceJson>({
      method: 'POST',
      path: '/resources',
      body: createResourceBody(values),
    });
    await answerForm(ctx, signed, answer, {
      ok: 201,
      again: () => refusedForm(ctx, signed, answer, values),
      next: (created) => `${resourcePath(created.identifier)}?done=created`,
    });
  };

  const showEdit = afterRead(read, (ctx, signed, { resource }, etag) => {
    render(
      ctx,
      200,
      resourceFormPage({
        operator: signed.operator,
        values: resourceValuesOf(resource),
        problems: NO_PROBLEMS,
        editing: { identifier: resource.identifier, etag },
      }),
    );
  });

  const update = afterRead(read, async (ctx, signed, { resource }) => {
    const values = { ...resourceFormValues(signed.form), identifier: resource.identifier };
    const body = updateResourceBody(values, resource);
    const path = resourcePath(resource.identifier);
    if (Object.keys(body).length === 0) return seeOther(ctx, `${path}?done=unchanged`);
    const etag = signed.form.etag ?? '';
    const answer = await signed.api({
      method: 'PATCH',
      path: `/resources/${encodeURIComponent(resource.identifier)}`,
      body,
      ifMatch: etag,
    });
    await answerForm(ctx, signed, answer, {
      ok: 200,
      again: () =>
        refusedForm(ctx, signed, answer, values, { identifier: resource.identifier, etag }),
      next: () => `${path}?done=saved`,
    });
  });

  const confirmDelete = afterRead(read, (ctx, signed, { resource, clients }, etag) => {
    const path = resourcePath(resource.identifier);
    const allowed = clients.length;
    render(
      ctx,
      200,
      confirmPage({
        operator: signed.operator,
        section: 'resources',
        title: `Delete ${resource.name}?`,
        message: html`<p>Deleting <code>${resource.identifier}</code> deletes its ${resource.scopes.length} ${resource.scopes.length === 1 ? 'scope' : 'scopes'} and every token stored for it; clients can no longer get tokens for it. It cannot be undone.</p>
${allowed > 0 ? html`<p>${allowed} ${allowed === 1 ? 'client is' : 'clients are'} allowed it: ${clients.map((c, i) => html`${i > 0 ? ', ' : ''}${c.name}`)}. Without the box below, the deletion is refused while they are.</p>` : html``}`,
        action: `${path}/delete`,
        etag,
        button: 'Delete the resource',
        back: { href: path, label: 'Keep it' },
        ...(allowed > 0
          ? {
              choices: checkbox({
                name: 'force',
                label: 'Also take it off the clients allowed it',
                checked: false,
                problems: NO_PROBLEMS,
              }),
            }
          : {}),
      }),
    );
  });

  const remove: Page = async (ctx, signed) => {
    const identifier = ctx.params.resource ?? '';
    const answer = await signed.api({
      method: 'DELETE',
      path: `/resources/${encodeURIComponent(identifier)}`,
      query: { force: signed.form.force === 'on' ? 'true' : undefined },
      ifMatch: signed.form.etag ?? '',
    });
    if (answer.status !== 200) return refused(ctx, answer, signed.operator);
    seeOther(ctx, '/admin/resources?done=deleted');
  };

  return {
    list,
    show,
    showNew: writer(showNew),
    create: writer(create),
    showEdit: writer(showEdit),
    update: writer(update),
    confirmDelete: writer(confirmDelete),
    remove: writer(remove),
  };
}
