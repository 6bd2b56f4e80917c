import { html } from '../../views/html.ts';
import { consolePage, type Operator } from './console-layout.ts';
import { actionButton } from './form-fields.ts';
import { listCaption, nextPageLink, searchForm } from './list-views.ts';
import type { GrantJson } from './users-views.ts';

/** A grant across users as `GET /admin/v1/grants` sends it: the username with admin:users only. */
export type GrantListJson = GrantJson & { user_id: string; username?: string | null };

const when = (iso: string | null) =>
  iso ? iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC') : null;
const userPath = (id: string) => `/admin/users/${encodeURIComponent(id)}`;

// The user as the operator may see them: their username linked to their page with admin:users,
// else only their id (the API sends no username without it).
const userCell = (grant: GrantListJson, canSeeUsers: boolean) =>
  canSeeUsers
    ? html`<a href="${userPath(grant.user_id)}">${grant.username ?? grant.user_id}</a>`
    : html`<code>${grant.user_id}</code>`;

/**
 * Users' grants to apps, the newest first, a page at a time or those a search found (the client's
 * name or id, or the username with admin:users), each with a Revoke button with admin:write.
 */
export function grantsPage(options: {
  operator: Operator;
  grants: readonly GrantListJson[];
  query: string;
  next?: string;
  notice?: string;
}): string {
  const { grants, query, operator } = options;
  const canRevoke = operator.scopes.includes('admin:write');
  const canSeeUsers = operator.scopes.includes('admin:users');
  return consolePage({
    title: 'Grants',
    section: 'grants',
    operator,
    body: html`<h1>Grants</h1>
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : html``}
<p class="muted">What each user allowed each app. Revoking a grant ends every token issued from it.</p>
<div class="toolbar">${searchForm('/admin/grants', canSeeUsers ? 'Search by app or username' : 'Search by app name or client ID', query)}</div>
${
  grants.length > 0
    ? html`<table>
<caption class="muted">${listCaption({ count: grants.length, query, more: options.next !== undefined, noun: ['grant', 'grants'], title: 'Grants, the newest first' })}</caption>
<thead><tr><th scope="col">App</th><th scope="col">User</th><th scope="col">Scopes</th><th scope="col">Granted</th><th scope="col">Expires</th>${canRevoke ? html`<th scope="col">Revoke</th>` : html``}</tr></thead>
<tbody>
${grants.map(
  (g) =>
    html`<tr><td><a href="/admin/clients/${encodeURIComponent(g.client_id)}">${g.client_name}</a></td><td>${userCell(g, canSeeUsers)}</td><td>${g.scope ? html`<code>${g.scope}</code>` : '–'}</td><td>${when(g.granted_at) ?? '–'}</td><td>${when(g.expires_at) ?? 'never'}</td>${canRevoke ? html`<td>${actionButton({ action: `/admin/grants/${encodeURIComponent(g.grant_id)}/revoke`, label: `Revoke ${g.client_name}'s grant`, csrf: operator.csrf, kind: 'danger' })}</td>` : html``}</tr>`,
)}
</tbody>
</table>`
    : html`<p>No grant${query ? html` matches this search` : html``}.</p>`
}
${nextPageLink('/admin/grants', query, options.next)}`,
  });
}

/** The confirmation before revoking all of a user's grants: what it does, and the button. */
export function revokeAllPage(options: {
  operator: Operator;
  user: { id: string; username: string };
}): string {
  const { operator, user } = options;
  const path = userPath(user.id);
  return consolePage({
    title: `Revoke ${user.username}'s grants`,
    section: 'users',
    operator,
    body: html`<h1>Revoke all of ${user.username}'s grants?</h1>
<div class="panel">
<p>Every app ${user.username} allowed loses its access: each grant and every token issued from it end now. ${user.username} is asked again the next time they use an app.</p>
<div class="toolbar">
${actionButton({ action: `${path}/grants/revoke-all`, label: `Revoke all of ${user.username}'s grants`, csrf: operator.csrf, kind: 'danger' })}
<a class="button secondary" href="${path}">Cancel</a>
</div>
</div>`,
  });
}
