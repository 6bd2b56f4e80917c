import { html, page, trusted } from './html.ts';

/** The device-flow code entry page around oidc-provider's form. */
export function deviceCodeInputPage(form: string, error?: string): string {
  return page(
    'Connect a device',
    html`<h1>Connect a device</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : html``}
<p>Enter the code shown on your device.</p>
${trusted(formWithLabel(form))}
<button class="primary" type="submit" form="op.deviceInputForm">Continue</button>`,
  );
}

/** The device-flow confirmation page: the user compares the code before going on. */
export function deviceCodeConfirmPage(form: string, clientName: string, userCode: string): string {
  return page(
    'Confirm the device',
    html`<h1>Connect ${clientName}?</h1>
<p>Make sure your device shows this code:</p>
<p class="code">${userCode}</p>
${trusted(form)}
<button class="primary" type="submit" form="op.deviceConfirmForm" autofocus>Continue</button>
<button class="secondary" type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Cancel</button>
<p class="muted">If you did not start this, or the code differs, cancel.</p>`,
  );
}

// oidc-provider's input has no visible label: give it one, for screen readers and everyone.
function formWithLabel(form: string): string {
  return form
    .replace(/\s*onfocus="[^"]*"/, '')
    .replace(
      /<input\s+(?=[^>]*name="user_code")/,
      '<label for="user_code">Code</label><input id="user_code" ',
    );
}
