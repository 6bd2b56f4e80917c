import { html, page } from './html.ts';
import type { ClientDisplay } from './login-page.ts';
import { type ScopeLine, scopeList } from './scope-list.ts';

/**
 * The consent form: the client, each scope with its description, approve or deny. The client's
 * logo comes after the heading and is sized by max-width/max-height only: a logo that does not
 * load (unreachable, refused by the CSP, not an image) has an empty alt and so renders as
 * nothing, where fixed dimensions would draw a broken-image box. Only what the request adds is
 * asked for; what the user already allowed is listed apart, so a page for one new scope does not
 * read as a request for everything again.
 *
 * @example
 * consentPage({ action, csrf, client, username: 'alice', scopes: [notesWrite], granted: [notesRead] });
 */
export function consentPage(options: {
  action: string;
  csrf: string;
  client: ClientDisplay;
  username: string;
  /** What the request adds to what the user already allowed. */
  scopes: ScopeLine[];
  /** What the user already allowed this app (from any browser), listed apart. */
  granted?: ScopeLine[];
}): string {
  const { client } = options;
  const granted = options.granted ?? [];
  return page(
    'Authorize',
    html`<div class="client">
<h1><strong>${client.name}</strong> wants to access your account</h1>
${client.logo ? html`<img src="${client.logo}" alt="">` : html``}
</div>
${client.homepage ? html`<p class="muted"><a href="${client.homepage}" rel="noopener noreferrer">${client.homepage}</a></p>` : html``}
<p>Signed in as <strong>${options.username}</strong>. ${asks(options.scopes, granted)}</p>
${options.scopes.length > 0 ? scopeList(options.scopes) : html``}
${
  granted.length > 0
    ? html`<p class="muted">You already allowed it to:</p>
${scopeList(granted)}`
    : html``
}
<form method="post" action="${options.action}">
<input type="hidden" name="csrf" value="${options.csrf}">
<button class="primary" type="submit" name="decision" value="approve">Allow</button>
<button class="secondary" type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

function asks(scopes: ScopeLine[], granted: ScopeLine[]): string {
  if (scopes.length === 0) return 'It asks you to confirm access again.';
  return granted.length > 0 ? 'It asks for more access:' : 'It asks to:';
}
