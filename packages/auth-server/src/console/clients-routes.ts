import type Koa from 'koa';
import { SUPPORTED_GRANTS } from '../domain/grants.ts';
import { render } from '../routes/respond.ts';
import type { RouteContext } from '../routes/route.ts';
import type { ApiAnswer } from './admin-api-client.ts';
import { apiPage, listRequest } from './api-pages.ts';
import {
  doneNotice,
  needsScope,
  problemOf,
  refused,
  type SignedIn,
  seeOther,
} from './console-request.ts';
import { answerForm } from './form-answers.ts';
import { formLines } from './form-values.ts';
import { problemsOf } from './problems.ts';
import {
  type ClientFormValues,
  type ClientJson,
  clientFormPage,
  clientPage,
  clientsListPage,
  type SecretJson,
  secretShownOncePage,
} from './views/clients-views.ts';
import { NO_PROBLEMS } from './views/form-fields.ts';

type Page = (ctx: RouteContext, signed: SignedIn) => Promise<void>;

// What a successful change says on the client's page: fixed sentences, never text from the URL.
const NOTICES: Readonly<Record<string, string>> = {
  created: 'Client registered.',
  saved: 'Changes saved.',
  unchanged: 'Nothing to save: the form had no change.',
  disabled: 'Client disabled: it can no longer get tokens.',
  enabled: 'Client enabled.',
};

const clientPath = (id: string) => `/admin/clients/${encodeURIComponent(id)}`;

// The form's values as typed (each grant's checkbox has a name of its own).
function formValues(form: Readonly<Record<string, string>>): ClientFormValues {
  return {
    name: (form.name ?? '').trim(),
    grant_types: SUPPORTED_GRANTS.filter((grant) => form[`grant_types.${grant}`] === 'on'),
    redirect_uris: formLines(form.redirect_uris),
    scope: (form.scope ?? '').trim().split(/\s+/).filter(Boolean).join(' '),
    resources: formLines(form.resources),
    public: form.public === 'on',
    first_party: form.first_party === 'on',
    require_mfa: form.require_mfa === 'on',
    dpop_bound_access_tokens: form.dpop_bound_access_tokens === 'on',
    homepage: (form.homepage ?? '').trim(),
    access_token_ttl: (form.access_token_ttl ?? '').trim(),
    refresh_token_ttl: (form.refresh_token_ttl ?? '').trim(),
  };
}

const valuesOf = (client: ClientJson): ClientFormValues => ({
  name: client.name,
  grant_types: client.grant_types.map((g) => (g.endsWith(':device_code') ? 'device_code' : g)),
  redirect_uris: client.redirect_uris,
  scope: client.scope,
  resources: client.resources,
  public: client.public,
  first_party: client.first_party,
  require_mfa: client.require_mfa ?? false,
  dpop_bound_access_tokens: client.dpop_bound_access_tokens ?? false,
  homepage: client.homepage ?? '',
  access_token_ttl: client.access_token_ttl == null ? '' : String(client.access_token_ttl),
  refresh_token_ttl: client.refresh_token_ttl == null ? '' : String(client.refresh_token_ttl),
});

const EMPTY: ClientFormValues = {
  name: '',
  grant_types: [],
  redirect_uris: [],
  scope: '',
  resources: [],
  public: false,
  first_party: false,
  require_mfa: false,
  dpop_bound_access_tokens: false,
  homepage: '',
  access_token_ttl: '',
  refresh_token_ttl: '',
};

// The body of a new client: what the operator filled in; the service's defaults for the rest.
function createBody(values: ClientFormValues): Record<string, unknown> {
  const body: Record<string, unknown> = { name: values.name, grant_types: values.grant_types };
  if (values.redirect_uris.length > 0) body.redirect_uris = values.redirect_uris;
  if (values.scope) body.scope = values.scope;
  if (values.resources.length > 0) body.resources = values.resources;
  for (const flag of [
    'public',
    'first_party',
    'require_mfa',
    'dpop_bound_access_tokens',
  ] as const) {
    if (values[flag]) body[flag] = true;
  }
  for (const text of ['homepage', 'access_token_ttl', 'refresh_token_ttl'] as const) {
    if (values[text]) body[text] = values[text];
  }
  return body;
}

// The PATCH body of an edit: only what differs from the client as it is; an emptied field is
// null (cleared), as `clients update` clears it.
function updateBody(values: ClientFormValues, current: ClientFormValues): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (values.name !== current.name) body.name = values.name;
  if (!same([...values.grant_types].sort(), [...current.grant_types].sort())) {
    body.grant_types = values.grant_types;
  }
  for (const list of ['redirect_uris', 'resources'] as const) {
    if (!same(values[list], current[list]))
      body[list] = values[list].length > 0 ? values[list] : null;
  }
  for (const flag of ['first_party', 'require_mfa', 'dpop_bound_access_tokens'] as const) {
    if (values[flag] !== current[flag]) body[flag] = values[flag];
  }
  for (const text of ['scope', 'homepage', 'access_token_ttl', 'refresh_token_ttl'] as const) {
    if (values[text] !== current[text]) body[text] = values[text] === '' ? null : values[text];
  }
  return body;
}

// The form again, as the operator filled it in, with the API's problems next to their fields.
function refusedForm(
  ctx: Koa.Context,
  signed: SignedIn,
  answer: ApiAnswer,
  values: ClientFormValues,
  editing?: { clientId: string; etag: string },
): void {
  render(
    ctx,
    answer.status,
    clientFormPage({
      operator: signed.operator,
      values,
      problems: problemsOf(problemOf(answer)),
      ...(editing ? { editing } : {}),
    }),
  );
}

/**
 * The clients' pages, each over the admin API with the operator's token: the list (paged, or
 * searched by name or id), one client with its secrets, the registration and edit forms (the
 * API's problems shown next to their fields, in the CLI's words), disable and enable, and a
 * secret's rotation (the new secret shown once, in the answer to the POST: never in a URL, never
 * stored). Every change sends the ETag the page was rendered with, so an operator never
 * overwrites a change they did not see.
 *
 * @example
 * const pages = clientsRoutes();
 */
export function clientsRoutes() {
  const canWrite = (signed: SignedIn) => signed.operator.scopes.includes('admin:write');

  const list: Page = async (ctx, signed) => {
    const request = listRequest(ctx);
    const answer = await apiPage<ClientJson>(signed, '/clients', request);
    if (answer.status !== 200) return refused(ctx, answer, signed.operator);
    const { items, next_cursor: next } = answer.body;
    render(
      ctx,
      200,
      clientsListPage({
        operator: signed.operator,
        clients: items,
        query: request.q,
        ...(next ? { next } : {}),
        canWrite: canWrite(signed),
      }),
    );
  };

  const read = (signed: SignedIn, id: string) =>
    signed.api<{ client: ClientJson; secrets: SecretJson[] }>({
      path: `/clients/${encodeURIComponent(id)}`,
    });

  const show: Page = async (ctx, signed) => {
    const answer = await read(signed, ctx.params.client ?? '');
    if (answer.status !== 200) return refused(ctx, answer, signed.operator);
    const done = doneNotice(ctx, NOTICES);
    render(
      ctx,
      200,
      clientPage({
        operator: signed.operator,
        client: answer.body.client,
        secrets: answer.body.secrets,
        etag: answer.etag ?? '',
        canWrite: canWrite(signed),
        ...(done ? { notice: done } : {}),
      }),
    );
  };

  const writer = needsScope('admin:write', 'Changing clients', {
    href: '/admin/clients',
    label: 'Back to the clients',
  });

  const showNew: Page = async (ctx, signed) => {
    render(
      ctx,
      200,
      clientFormPage({ operator: signed.operator, values: EMPTY, problems: NO_PROBLEMS }),
    );
  };

  const create: Page = async (ctx, signed) => {
    const values = formValues(signed.form);
    const answer = await signed.api<{ client: ClientJson; client_secret?: string }>({
      method: 'POST',
      path: '/clients',
      body: createBody(values),
    });
    if (answer.status === 400 || answer.status === 409) {
      return refusedForm(ctx, signed, answer, values);
    }
    if (answer.status !== 201) return refused(ctx, answer, signed.operator);
    const { client, client_secret: secret } = answer.body;
    if (!secret) return seeOther(ctx, `${clientPath(client.client_id)}?done=created`);
    render(
      ctx,
      200,
      secretShownOncePage({ operator: signed.operator, client, secret, created: true }),
    );
  };

  const showEdit: Page = async (ctx, signed) => {
    const answer = await read(signed, ctx.params.client ?? '');
    if (answer.status !== 200) return refused(ctx, answer, signed.operator);
    const { client } = answer.body;
    render(
      ctx,
      200,
      clientFormPage({
        operator: signed.operator,
        values: valuesOf(client),
        problems: NO_PROBLEMS,
        editing: { clientId: client.client_id, etag: answer.etag ?? '' },
      }),
    );
  };

  const update: Page = async (ctx, signed) => {
    const current = await read(signed, ctx.params.client ?? '');
    if (current.status !== 200) return refused(ctx, current, signed.operator);
    const { client } = current.body;
    const before = valuesOf(client);
    const values = { ...formValues(signed.form), public: before.public };
    const body = updateBody(values, before);
    if (Object.keys(body).length === 0)
      return seeOther(ctx, `${clientPath(client.client_id)}?done=unchanged`);
    const etag = signed.form.etag ?? '';
    const answer = await signed.api({
      method: 'PATCH',
      path: `/clients/${encodeURIComponent(client.client_id)}`,
      body,
      ifMatch: etag,
    });
    await answerForm(ctx, signed, answer, {
      ok: 200,
      again: () => refusedForm(ctx, signed, answer, values, { clientId: client.client_id, etag }),
      next: () => `${clientPath(client.client_id)}?done=saved`,
    });
  };

  const toggle =
    (action: 'disable' | 'enable'): Page =>
    async (ctx, signed) => {
      const id = ctx.params.client ?? '';
      const answer = await signed.api({
        method: 'POST',
        path: `/clients/${encodeURIComponent(id)}/${action}`,
        ifMatch: signed.form.etag ?? '',
      });
      if (answer.status !== 200) return refused(ctx, answer, signed.operator);
      seeOther(ctx, `${clientPath(id)}?done=${action}d`);
    };

  const rotate: Page = async (ctx, signed) => {
    const id = ctx.params.client ?? '';
    const answer = await signed.api<{ client_id: string; client_secret: string }>({
      method: 'POST',
      path: `/clients/${encodeURIComponent(id)}/secrets`,
      body: {},
      ifMatch: signed.form.etag ?? '',
    });
    if (answer.status !== 201) return refused(ctx, answer, signed.operator);
    const shown = await read(signed, answer.body.client_id);
    const name = shown.status === 200 ? shown.body.client.name : answer.body.client_id;
    render(
      ctx,
      200,
      secretShownOncePage({
        operator: signed.operator,
        client: { client_id: answer.body.client_id, name },
        secret: answer.body.client_secret,
        created: false,
      }),
    );
  };

  return {
    list,
    show,
    showNew: writer(showNew),
    create: writer(create),
    showEdit: writer(showEdit),
    update: writer(update),
    disable: writer(toggle('disable')),
    enable: writer(toggle('enable')),
    rotate: writer(rotate),
  };
}
