import type { userJson } from '../../admin/users/user-operations.ts';
import type { grantJson } from '../../views/grant-json.ts';
import { html } from '../../views/html.ts';
import { consolePage, noticeLine, type Operator } from './console-layout.ts';
import { actionButton } from './form-fields.ts';
import { listCaption, nextPageLink, searchForm } from './list-views.ts';
import { userEditing } from './user-forms-views.ts';

/** A user as the admin API sends them (the shape of `users show --json`): never a password. */
export type UserJson = Awaited<ReturnType<typeof userJson>>;

/** A user's grant as the admin API sends it (`grants list --json`). */
export type GrantJson = ReturnType<typeof grantJson>;

const userPath = (id: string) => `/admin/users/${encodeURIComponent(id)}`;
const when = (iso: string) => iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');
const status = (user: UserJson) =>
  user.disabled
    ? html`<span class="badge off">disabled</span>`
    : html`<span class="badge">enabled</span>`;

/** The users, by username, a page at a time, or those a search found (username, name, email). */
export function usersListPage(options: {
  operator: Operator;
  users: readonly UserJson[];
  query: string;
  next?: string;
  notice?: string;
}): string {
  const { users, query } = options;
  const caption = listCaption({
    count: users.length,
    query,
    more: options.next !== undefined,
    noun: ['user', 'users'],
    title: 'Users, by username',
  });
  return consolePage({
    title: 'Users',
    section: 'users',
    operator: options.operator,
    body: html`<h1>Users</h1>
${noticeLine(options.notice)}
<div class="toolbar">
${searchForm('/admin/users', 'Search by username, name or email', query)}
<a class="button primary" href="/admin/users/new">Create a user</a>
</div>
<table>
<caption class="muted">${caption}</caption>
<thead><tr><th scope="col">Username</th><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Roles</th><th scope="col">Status</th></tr></thead>
<tbody>
${users.map(
  (u) =>
    html`<tr><td><a href="${userPath(u.id)}">${u.username}</a></td><td>${u.name ?? '–'}</td><td>${u.email ?? '–'}</td><td>${u.roles.length > 0 ? u.roles.join(', ') : '–'}</td><td>${status(u)}</td></tr>`,
)}
</tbody>
</table>
${users.length === 0 ? html`<p>No user${query ? html` matches this search` : html` yet`}.</p>` : html``}
${nextPageLink('/admin/users', query, options.next)}`,
  });
}

/** A user: who they are, their roles, whether disabled and since when; disable, enable, unlock. */
export function userPage(options: {
  operator: Operator;
  user: UserJson;
  etag: string;
  grants: readonly GrantJson[];
  /** The API's cursor of their next page of grants. */
  nextGrants?: string;
  /** With admin:write: a revoke button per grant, and one for them all. */
  canRevoke: boolean;
  notice?: string;
}): string {
  const { user, operator, etag } = options;
  const path = userPath(user.id);
  const editing = userEditing({ operator, user, etag });
  return consolePage({
    title: user.username,
    section: 'users',
    operator,
    body: html`<h1>${user.username}</h1>
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : html``}
<div class="panel"><dl class="fields">
<dt>User ID</dt><dd><code>${user.id}</code></dd>
<dt>Name</dt><dd>${user.name ?? '–'}</dd>
<dt>Email</dt><dd>${user.email ? html`${user.email} (${user.email_verified ? 'verified' : 'not verified'})` : '–'}</dd>
<dt>Roles</dt><dd>${user.roles.length > 0 ? user.roles.join(', ') : 'none'}</dd>
<dt>Status</dt><dd>${status(user)}${user.disabled_at ? html` since ${when(user.disabled_at)}` : html``}</dd>
<dt>Created</dt><dd>${when(user.created_at)}</dd>
</dl></div>
<div class="toolbar">
${actionButton({ action: `${path}/${user.disabled ? 'enable' : 'disable'}`, label: user.disabled ? 'Enable' : 'Disable', csrf: operator.csrf, etag, kind: user.disabled ? 'secondary' : 'danger' })}
${actionButton({ action: `${path}/unlock`, label: 'Unlock (clear failed sign-ins)', csrf: operator.csrf })}
</div>
${editing.actions}
${editing.roles}
<h2>Grants</h2>
${
  options.grants.length > 0
    ? html`<table>
<caption class="muted">What ${user.username} allowed each client, the newest first</caption>
<thead><tr><th scope="col">Client</th><th scope="col">Scopes</th><th scope="col">Granted</th><th scope="col">Expires</th>${options.canRevoke ? html`<th scope="col">Revoke</th>` : html``}</tr></thead>
<tbody>
${options.grants.map(
  (g) =>
    html`<tr><td><a href="/admin/clients/${encodeURIComponent(g.client_id)}">${g.client_name}</a></td><td>${g.scope ? html`<code>${g.scope}</code>` : '–'}</td><td>${g.granted_at ? when(g.granted_at) : '–'}</td><td>${g.expires_at ? when(g.expires_at) : 'never'}</td>${options.canRevoke ? html`<td>${actionButton({ action: `${path}/grants/${encodeURIComponent(g.grant_id)}/revoke`, label: `Revoke ${g.client_name}'s grant`, csrf: operator.csrf, kind: 'danger' })}</td>` : html``}</tr>`,
)}
</tbody>
</table>`
    : html`<p>No grant.</p>`
}
${options.nextGrants ? html`<p class="pager"><a href="${path}?grants=${encodeURIComponent(options.nextGrants)}">Older grants</a></p>` : html``}
${options.canRevoke && options.grants.length > 0 ? html`<p><a class="button danger" href="${path}/grants/revoke-all">Revoke all grants…</a></p>` : html``}
<p><a href="/admin/users">All users</a></p>`,
  });
}
