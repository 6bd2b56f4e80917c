import { html, page, trusted } from './html.ts';

/** oidc-provider's logout confirmation, around its form (which carries its own CSRF field). */
export function logoutPage(form: string, host: string): string {
  return page(
    'Sign out',
    html`<h1>Sign out of ${host}?</h1>
${trusted(form)}
<button class="primary" type="submit" form="op.logoutForm" value="yes" name="logout" autofocus>Yes, sign me out</button>
<button class="secondary" type="submit" form="op.logoutForm">No, stay signed in</button>`,
  );
}
