import { html, page } from './html.ts';
import { currentBrand } from './page-context.ts';

/** `/`: what this server is, with the way to the account page and to discovery. */
export function homePage(): string {
  return page(
    'Authorization server',
    html`<h1>${currentBrand().name}</h1>
<p>This is an OAuth 2.0 and OpenID Connect authorization server: applications send you here to sign in and to ask for your permission.</p>
<ul class="links">
<li><a href="/account">Your account</a>: the apps you have allowed, and removing their access</li>
<li><a href="/.well-known/openid-configuration">OpenID Connect discovery</a>: this server's endpoints, for developers</li>
</ul>`,
  );
}
