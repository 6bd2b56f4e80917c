import { SUPPORTED_GRANTS, shortGrant } from '../../domain/grants.ts';
import type { clientJson, secretJson } from '../../views/client-json.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { consolePage, type Operator } from './console-layout.ts';
import {
  actionButton,
  checkbox,
  checkboxes,
  csrfField,
  type FormProblems,
  linesField,
  problemSummary,
  textField,
} from './form-fields.ts';
import { listCaption, nextPageLink, searchForm } from './list-views.ts';

/** A client as the admin API sends it (its document's `Client`: `clientJson`'s shape). */
export type ClientJson = ReturnType<typeof clientJson>;

/** One of a confidential client's secrets as the admin API sends it: never its value. */
export type SecretJson = ReturnType<typeof secretJson>;

/** The client form's fields as the operator typed them (create and edit). */
export interface ClientFormValues {
  name: string;
  grant_types: string[];
  redirect_uris: string[];
  scope: string;
  resources: string[];
  public: boolean;
  first_party: boolean;
  require_mfa: boolean;
  dpop_bound_access_tokens: boolean;
  homepage: string;
  access_token_ttl: string;
  refresh_token_ttl: string;
}

/** The form's labels by field, for the problem summary's links. */
const CLIENT_LABELS: Readonly<Record<string, string>> = {
  name: 'Name',
  grant_types: 'Grant types',
  redirect_uris: 'Redirect URIs',
  scope: 'Scopes',
  resources: 'Resources',
  public: 'Public client',
  first_party: 'First-party',
  require_mfa: 'Require a second factor',
  dpop_bound_access_tokens: 'Require DPoP',
  homepage: 'Homepage',
  access_token_ttl: 'Access-token lifetime',
  refresh_token_ttl: 'Refresh-token lifetime',
};

const status = (client: ClientJson) =>
  client.disabled
    ? html`<span class="badge off">disabled</span>`
    : html`<span class="badge">enabled</span>`;

/** The clients' list: the search form, the table, and the next page's link. */
export function clientsListPage(options: {
  operator: Operator;
  clients: readonly ClientJson[];
  query: string;
  next?: string;
  canWrite: boolean;
}): string {
  const { clients, query } = options;
  const caption = listCaption({
    count: clients.length,
    query,
    more: options.next !== undefined,
    noun: ['client', 'clients'],
    title: 'Registered clients, by name',
  });
  return consolePage({
    title: 'Clients',
    section: 'clients',
    operator: options.operator,
    body: html`<h1>Clients</h1>
<div class="toolbar">
${searchForm('/admin/clients', 'Search by name or client ID', query)}
${options.canWrite ? html`<a class="button primary" href="/admin/clients/new">Register a client</a>` : html``}
</div>
<table>
<caption class="muted">${caption}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Client ID</th><th scope="col">Grant types</th><th scope="col">Type</th><th scope="col">Status</th></tr></thead>
<tbody>
${clients.map(
  (client) =>
    html`<tr><td><a href="/admin/clients/${encodeURIComponent(client.client_id)}">${client.name}</a></td><td><code>${client.client_id}</code></td><td>${client.grant_types.map(shortGrant).join(', ')}</td><td>${client.public ? 'public' : 'confidential'}</td><td>${status(client)}</td></tr>`,
)}
</tbody>
</table>
${clients.length === 0 ? html`<p>No client${query ? html` matches this search` : html` is registered yet`}.</p>` : html``}
${nextPageLink('/admin/clients', query, options.next)}`,
  });
}

const lifetime = (seconds: number | null | undefined) =>
  seconds === null || seconds === undefined ? 'the resource’s' : `${seconds} s`;

const when = (iso: string | null | undefined) =>
  iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : 'never';

/** One client: its settings, its secrets, and what the operator may do with it. */
export function clientPage(options: {
  operator: Operator;
  client: ClientJson;
  secrets: readonly SecretJson[];
  etag: string;
  canWrite: boolean;
  notice?: string;
}): string {
  const { client, operator, etag } = options;
  const path = `/admin/clients/${encodeURIComponent(client.client_id)}`;
  const actions: SafeHtml = options.canWrite
    ? html`<div class="actions">
<a class="button primary" href="${path}/edit">Edit</a>
${actionButton({ action: `${path}/${client.disabled ? 'enable' : 'disable'}`, label: client.disabled ? 'Enable' : 'Disable', csrf: operator.csrf, etag, kind: client.disabled ? 'secondary' : 'danger' })}
${client.public || client.token_endpoint_auth_method === 'private_key_jwt' ? html`` : actionButton({ action: `${path}/secrets`, label: 'Rotate the secret', csrf: operator.csrf, etag })}
</div>`
    : html``;
  const rows: Array<[string, SafeHtml | string]> = [
    ['Client ID', html`<code>${client.client_id}</code>`],
    ['Status', status(client)],
    [
      'Type',
      client.public
        ? 'public (PKCE, no secret)'
        : `confidential (${client.token_endpoint_auth_method})`,
    ],
    [
      'First-party',
      client.first_party ? 'yes: no consent asked' : 'no: users are asked to consent',
    ],
    ['Grant types', client.grant_types.map(shortGrant).join(', ')],
    [
      'Redirect URIs',
      client.redirect_uris.length > 0
        ? html`${client.redirect_uris.map((uri, i) => html`${i > 0 ? html`<br>` : html``}<code>${uri}</code>`)}`
        : 'none',
    ],
    ['Scopes', client.scope ? html`<code>${client.scope}</code>` : 'none'],
    [
      'Resources',
      client.resources.length > 0
        ? html`${client.resources.map((uri, i) => html`${i > 0 ? html`<br>` : html``}<code>${uri}</code>`)}`
        : 'none',
    ],
    ['Second factor', client.require_mfa ? 'required' : 'as the server’s policy says'],
    ['DPoP-bound tokens', client.dpop_bound_access_tokens ? 'required' : 'no'],
    ['Homepage', client.homepage ?? 'none'],
    ['Access-token lifetime', lifetime(client.access_token_ttl)],
    ['Refresh-token lifetime', lifetime(client.refresh_token_ttl)],
    ['Last used', when(client.last_used_at)],
    ['Registered', when(client.created_at)],
    ['Changed', when(client.updated_at)],
  ];
  return consolePage({
    title: client.name,
    section: 'clients',
    operator,
    body: html`<p><a href="/admin/clients">All clients</a></p>
<h1>${client.name}</h1>
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : html``}
${actions}
<div class="panel"><dl class="fields">${rows.map(([term, value]) => html`<dt>${term}</dt><dd>${value}</dd>`)}</dl></div>
${
  client.public
    ? html``
    : html`<h2>Secrets</h2>
${
  options.secrets.length > 0
    ? html`<table><thead><tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th></tr></thead>
<tbody>${options.secrets.map((s) => html`<tr><td>${s.name}${s.expired ? html` <span class="badge off">expired</span>` : html``}</td><td>${when(s.created_at)}</td><td>${s.expires_at ? when(s.expires_at) : 'never'}</td><td>${when(s.last_used_at)}</td></tr>`)}</tbody></table>`
    : html`<p>No secret.</p>`
}`
}`,
  });
}

const GRANT_CHOICES = SUPPORTED_GRANTS.map((grant) => ({ value: grant, label: grant }));

/** The form registering a client (`client` undefined) or changing one. */
export function clientFormPage(options: {
  operator: Operator;
  values: ClientFormValues;
  problems: FormProblems;
  /** The client being changed, with the ETag of the version the form shows. */
  editing?: { clientId: string; etag: string };
}): string {
  const { values, problems, editing, operator } = options;
  const title = editing ? `Edit ${values.name}` : 'Register a client';
  const action = editing
    ? `/admin/clients/${encodeURIComponent(editing.clientId)}`
    : '/admin/clients';
  return consolePage({
    title,
    section: 'clients',
    operator,
    body: html`<p><a href="${editing ? action : '/admin/clients'}">${editing ? 'Back to the client' : 'All clients'}</a></p>
<h1>${title}</h1>
${problemSummary(problems, CLIENT_LABELS)}
<form method="post" action="${action}" class="panel" novalidate>
${csrfField(operator.csrf)}
${editing ? html`<input type="hidden" name="etag" value="${editing.etag}">` : html``}
${textField({ name: 'name', label: CLIENT_LABELS.name as string, value: values.name, hint: 'Unique regardless of case; shown on the consent page', problems, required: true })}
${checkboxes({ name: 'grant_types', legend: CLIENT_LABELS.grant_types as string, choices: GRANT_CHOICES, checked: values.grant_types, problems })}
${linesField({ name: 'redirect_uris', label: CLIENT_LABELS.redirect_uris as string, value: values.redirect_uris, hint: 'One per line; https, or http on loopback only', problems })}
${textField({ name: 'scope', label: CLIENT_LABELS.scope as string, value: values.scope, hint: 'Separated by spaces: OpenID scopes and scopes of its resources', problems })}
${linesField({ name: 'resources', label: CLIENT_LABELS.resources as string, value: values.resources, hint: 'API resource identifiers, one per line', problems })}
${editing ? html`` : checkbox({ name: 'public', label: 'Public client (a browser or native app: PKCE, no secret)', checked: values.public, problems })}
${checkbox({ name: 'first_party', label: 'First-party (no consent asked)', checked: values.first_party, problems })}
${checkbox({ name: 'require_mfa', label: 'Require a second factor at sign-in', checked: values.require_mfa, problems })}
${checkbox({ name: 'dpop_bound_access_tokens', label: 'Require DPoP-bound access tokens', checked: values.dpop_bound_access_tokens, problems })}
${textField({ name: 'homepage', label: CLIENT_LABELS.homepage as string, value: values.homepage, type: 'url', problems })}
${textField({ name: 'access_token_ttl', label: CLIENT_LABELS.access_token_ttl as string, value: values.access_token_ttl, hint: 'Seconds or a duration such as 10m; empty: the resource’s', problems })}
${textField({ name: 'refresh_token_ttl', label: CLIENT_LABELS.refresh_token_ttl as string, value: values.refresh_token_ttl, hint: 'Seconds or a duration such as 14d; empty: the server’s', problems })}
<button type="submit" class="primary">${editing ? 'Save changes' : 'Register'}</button>
</form>`,
  });
}

/** A client secret, shown this once (the answer to the POST that made it; never stored). */
export function secretShownOncePage(options: {
  operator: Operator;
  client: { client_id: string; name: string };
  secret: string;
  created: boolean;
}): string {
  const { client } = options;
  const title = options.created
    ? `Client ${client.name} registered`
    : `New secret for ${client.name}`;
  return consolePage({
    title,
    section: 'clients',
    operator: options.operator,
    body: html`<h1>${title}</h1>
<div class="panel">
<p>Copy the secret now: it is shown only this once, and only its hash is stored. ${options.created ? '' : 'The older secrets keep working for 24 hours, then expire.'}</p>
<dl class="fields"><dt>Client ID</dt><dd><code>${client.client_id}</code></dd></dl>
<h2>Client secret</h2>
<code class="secret">${options.secret}</code>
<p><a href="/admin/clients/${encodeURIComponent(client.client_id)}">I have stored it: back to the client</a></p>
</div>`,
  });
}
