import { html, page, trusted } from './html.ts';
import { t } from './i18n.ts';

/** The device-flow code entry page around oidc-provider's form. */
export function deviceCodeInputPage(form: string, error?: string): string {
  return page(
    t('device.title'),
    html`<h1>${t('device.title')}</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : html``}
<p>${t('device.enter_code')}</p>
${trusted(formWithLabel(form))}
<button class="primary" type="submit" form="op.deviceInputForm">${t('device.continue')}</button>`,
  );
}

/** The device-flow confirmation page: the user compares the code before going on. */
export function deviceCodeConfirmPage(form: string, clientName: string, userCode: string): string {
  return page(
    t('device.confirm_title'),
    html`<h1>${t('device.confirm_heading', { client: clientName })}</h1>
<p>${t('device.compare')}</p>
<p class="code">${userCode}</p>
${trusted(form)}
<button class="primary" type="submit" form="op.deviceConfirmForm" autofocus>${t('device.continue')}</button>
<button class="secondary" type="submit" form="op.deviceConfirmForm" name="abort" value="yes">${t('device.cancel')}</button>
<p class="muted">${t('device.not_you')}</p>`,
  );
}

// oidc-provider's input has no visible label: give it one, for screen readers and everyone.
function formWithLabel(form: string): string {
  return form
    .replace(/\s*onfocus="[^"]*"/, '')
    .replace(
      /<input\s+(?=[^>]*name="user_code")/,
      `<label for="user_code">${escapedLabel()}</label><input id="user_code" `,
    );
}

// The code field's label, as markup (it goes into oidc-provider's form as text).
function escapedLabel(): string {
  return html`${t('device.code')}`.html;
}
