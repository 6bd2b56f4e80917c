/**
 * The pages' only script, served at `/assets/passkeys.js` (routes/assets.ts): it shows the
 * passkey forms (hidden without it, so a page without JavaScript offers only what works), and on
 * their submit asks the browser for a passkey with the options in the form's
 * `data-passkey-options` (the server's JSON, base64url for bytes), puts the browser's answer in
 * the form's `credential` field as JSON and posts the form. A refusal or a cancel shows the
 * form's `data-passkey-failed` message and gives the focus back to its button. Written here
 * rather than taken from a library: about fifty lines, no build step, nothing loaded from
 * anywhere else, and the page's CSP allows this file and nothing more.
 */
export const PASSKEY_SCRIPT = `(() => {
  'use strict';
  if (!window.PublicKeyCredential || !navigator.credentials) return;
  const bytes = (text) => {
    const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  };
  const text = (buffer) => {
    let binary = '';
    for (const b of new Uint8Array(buffer)) binary += String.fromCharCode(b);
    return btoa(binary).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  };
  const withIds = (list) => (list || []).map((c) => ({ ...c, id: bytes(c.id) }));
  const creation = (o) => ({
    ...o,
    challenge: bytes(o.challenge),
    user: { ...o.user, id: bytes(o.user.id) },
    excludeCredentials: withIds(o.excludeCredentials),
  });
  const request = (o) => ({
    ...o,
    challenge: bytes(o.challenge),
    allowCredentials: withIds(o.allowCredentials),
  });
  const answer = (credential) => {
    const r = credential.response;
    const response = { clientDataJSON: text(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = text(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = text(r.authenticatorData);
      response.signature = text(r.signature);
      if (r.userHandle) response.userHandle = text(r.userHandle);
    }
    return JSON.stringify({
      id: credential.id,
      rawId: text(credential.rawId),
      type: credential.type,
      response,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
    });
  };
  for (const form of document.querySelectorAll('form[data-passkey]')) {
    form.hidden = false;
    const button = form.querySelector('button');
    const error = form.querySelector('[data-passkey-error]');
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      button.disabled = true;
      try {
        const options = JSON.parse(form.dataset.passkeyOptions);
        const credential =
          form.dataset.passkey === 'create'
            ? await navigator.credentials.create({ publicKey: creation(options) })
            : await navigator.credentials.get({ publicKey: request(options) });
        form.elements.credential.value = answer(credential);
        form.submit();
      } catch {
        button.disabled = false;
        error.textContent = form.dataset.passkeyFailed;
        error.hidden = false;
        button.focus();
      }
    });
  }
})();
`;
