import { html, page } from './html.ts';
import type { ClientDisplay } from './login-page.ts';
import { type ScopeLine, scopeList } from './scope-list.ts';

/**
 * The consent form: the client, each scope with its description, approve or deny. The client's
 * logo comes after the heading and is sized by max-width/max-height only: a logo that does not
 * load (unreachable, refused by the CSP, not an image) has an empty alt and so renders as
 * nothing, where fixed dimensions would draw a broken-image box.
 */
export function consentPage(options: {
  action: string;
  csrf: string;
  client: ClientDisplay;
  username: string;
  scopes: ScopeLine[];
}): string {
  const { client } = options;
  return page(
    'Authorize',
    html`<div class="client">
<h1><strong>${client.name}</strong> wants to access your account</h1>
${client.logo ? html`<img src="${client.logo}" alt="">` : html``}
</div>
${client.homepage ? html`<p class="muted"><a href="${client.homepage}" rel="noopener noreferrer">${client.homepage}</a></p>` : html``}
<p>Signed in as <strong>${options.username}</strong>. It asks to:</p>
${scopeList(options.scopes)}
<form method="post" action="${options.action}">
<input type="hidden" name="csrf" value="${options.csrf}">
<button class="primary" type="submit" name="decision" value="approve">Allow</button>
<button class="secondary" type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}
