import type { resourceJson } from '../../admin/resources/resource-json.ts';
import { html } from '../../views/html.ts';
import { consolePage, noticeLine, type Operator } from './console-layout.ts';
import { listCaption, nextPageLink, searchForm } from './list-views.ts';

/** An API resource as the admin API sends it (the shape of `resources show --json`). */
export type ResourceJson = ReturnType<typeof resourceJson>;

/** A client allowed a resource, as `GET /admin/v1/resources/{resource}` names it. */
export interface ClientRefJson {
  client_id: string;
  name: string;
}

const resourcePath = (identifier: string) => `/admin/resources/${encodeURIComponent(identifier)}`;
const clientPath = (id: string) => `/admin/clients/${encodeURIComponent(id)}`;
const when = (iso: string) => iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');

/** The registered API resources, by name, a page at a time (the API's cursor behind "Next page"). */
export function resourcesPage(options: {
  operator: Operator;
  resources: readonly ResourceJson[];
  /** The search (by name or identifier); '' for none. */
  query: string;
  next?: string;
  /** With admin:write: a link to the registration form. */
  canWrite: boolean;
  notice?: string;
}): string {
  const { resources, query } = options;
  return consolePage({
    title: 'Resources',
    section: 'resources',
    operator: options.operator,
    body: html`<h1>Resources</h1>
${noticeLine(options.notice)}
<p class="muted">The APIs clients get access tokens for, and their scopes.</p>
<div class="toolbar">${searchForm('/admin/resources', 'Search by name or identifier', query)}
${options.canWrite ? html`<a class="button primary" href="/admin/resources/new">Register a resource</a>` : html``}</div>
${
  resources.length > 0
    ? html`<table>
<caption class="muted">${listCaption({ count: resources.length, query, more: options.next !== undefined, noun: ['resource', 'resources'], title: 'Resources, by name' })}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Identifier</th><th scope="col">Scopes</th><th scope="col">Access tokens</th></tr></thead>
<tbody>
${resources.map(
  (r) =>
    html`<tr><td><a href="${resourcePath(r.identifier)}">${r.name}</a></td><td><code>${r.identifier}</code></td><td>${r.scopes.length > 0 ? r.scopes.map((s, i) => html`${i > 0 ? ' ' : ''}<code>${s.name}</code>`) : '–'}</td><td>${r.access_token_format}, ${r.access_token_ttl}s</td></tr>`,
)}
</tbody>
</table>`
    : html`<p>No resource${query ? html` matches this search` : html` yet`}.</p>`
}
${nextPageLink('/admin/resources', query, options.next)}`,
  });
}

/** A resource: its settings, its scopes (role-gated ones marked) and the clients allowed it. */
export function resourcePage(options: {
  operator: Operator;
  resource: ResourceJson;
  clients: readonly ClientRefJson[];
  /** With admin:write: links to the edit form and to the deletion's confirmation. */
  canWrite: boolean;
  notice?: string;
}): string {
  const { resource: r, clients } = options;
  const path = resourcePath(r.identifier);
  const gated = new Set(r.role_gated_scopes);
  return consolePage({
    title: r.name,
    section: 'resources',
    operator: options.operator,
    body: html`<h1>${r.name}</h1>
${noticeLine(options.notice)}
${options.canWrite ? html`<div class="actions"><a class="button primary" href="${path}/edit">Edit</a><a class="button danger" href="${path}/delete">Delete</a></div>` : html``}
<div class="panel"><dl class="fields">
<dt>Identifier</dt><dd><code>${r.identifier}</code></dd>
<dt>Access tokens</dt><dd>${r.access_token_format === 'jwt' ? 'JWT' : 'opaque'}, valid ${r.access_token_ttl} seconds</dd>
<dt>Roles claim</dt><dd>${r.roles_claim ? 'yes' : 'no'}</dd>
<dt>May introspect</dt><dd>${r.introspection_clients.length > 0 ? r.introspection_clients.map((id, i) => html`${i > 0 ? ', ' : ''}<a href="${clientPath(id)}"><code>${id}</code></a>`) : 'no client'}</dd>
<dt>Registered</dt><dd>${when(r.created_at)}</dd>
</dl></div>
<h2>Scopes</h2>
${
  r.scopes.length > 0
    ? html`<table>
<thead><tr><th scope="col">Scope</th><th scope="col">Description</th><th scope="col">Needs a role</th></tr></thead>
<tbody>
${r.scopes.map((s) => html`<tr><td><code>${s.name}</code></td><td>${s.description}</td><td>${gated.has(s.name) ? 'yes' : 'no'}</td></tr>`)}
</tbody>
</table>`
    : html`<p>No scope.</p>`
}
<h2>Clients allowed it</h2>
${
  clients.length > 0
    ? html`<ul>${clients.map((c) => html`<li><a href="${clientPath(c.client_id)}">${c.name}</a> (<code>${c.client_id}</code>)</li>`)}</ul>`
    : html`<p>No client is allowed this resource.</p>`
}
<p><a href="/admin/resources">All resources</a></p>`,
  });
}
