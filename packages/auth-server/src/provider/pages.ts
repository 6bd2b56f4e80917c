import type { KoaContextWithOIDC } from 'oidc-provider';
import { deviceCodeConfirmPage, deviceCodeInputPage } from '../views/device-code-pages.ts';
import { PAGE_HEADERS } from '../views/html.ts';
import { logoutPage } from '../views/logout-page.ts';
import { messagePage } from '../views/message-page.ts';

function send(ctx: KoaContextWithOIDC, body: string): void {
  ctx.set(PAGE_HEADERS);
  ctx.type = 'html';
  ctx.body = body;
}

// Errors shown to a browser: the OAuth error code is safe to show; descriptions can carry
// request details, so only a fixed sentence per situation is used.
const ERROR_MESSAGES: Record<string, string> = {
  invalid_request: 'The application sent a request this server cannot accept.',
  invalid_client: 'The application is not known here.',
  invalid_redirect_uri: 'The application asked to return to an address it did not register.',
  // A pushed authorization request (RFC 9126) lives 60 seconds and serves one sign-in.
  invalid_request_uri: 'This sign-in link has expired or was already used.',
  unauthorized_client: 'The application is not allowed to do this.',
  access_denied: 'Access was denied.',
  invalid_scope: 'The application asked for permissions it may not have.',
  invalid_target: 'The application asked for an API it may not use.',
  server_error: 'Something went wrong on our side. Try again later.',
  temporarily_unavailable: 'The service is busy or down for a moment. Try again shortly.',
};

/** The pages oidc-provider renders itself, in our layout and with our headers. */
export const providerPages = {
  async renderError(ctx: KoaContextWithOIDC, out: { error: string }) {
    send(
      ctx,
      messagePage(
        'Something is wrong with this request',
        ERROR_MESSAGES[out.error] ?? 'This request cannot be completed.',
        `Error code: ${out.error}. Go back to the application and try again; if it keeps happening, tell its developers.`,
      ),
    );
  },

  async logoutSource(ctx: KoaContextWithOIDC, form: string) {
    // The issuer's host, not the request's Host header.
    send(ctx, logoutPage(form, new URL(ctx.oidc.issuer).host));
  },

  async postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
    send(ctx, messagePage('Signed out', 'You are signed out.', 'You can close this window.'));
  },

  async userCodeInputSource(
    ctx: KoaContextWithOIDC,
    form: string,
    _out: unknown,
    error?: { message?: string; userCode?: string },
  ) {
    const message = error
      ? error.userCode
        ? 'That code is not valid or has expired. Check it and try again.'
        : 'Something went wrong. Try again.'
      : undefined;
    send(ctx, deviceCodeInputPage(form, message));
  },

  async userCodeConfirmSource(
    ctx: KoaContextWithOIDC,
    form: string,
    client: { clientName?: string; clientId: string },
    _deviceInfo: unknown,
    userCode: string,
  ) {
    send(ctx, deviceCodeConfirmPage(form, client.clientName ?? client.clientId, userCode));
  },

  async successSource(ctx: KoaContextWithOIDC) {
    send(
      ctx,
      messagePage(
        'Device connected',
        'Your device is now connected.',
        'You can close this window and return to it.',
      ),
    );
  },
};

/**
 * The device page's answer to a code entered while a user-code limit is locked: 429 with
 * `Retry-After`, and no hint of which limit, nor of whether the code was right (it was not read).
 *
 * @example
 * sendUserCodeLockout(ctx, 600);
 */
export function sendUserCodeLockout(ctx: KoaContextWithOIDC, retryAfterSeconds: number): void {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  ctx.status = 429;
  ctx.set('Retry-After', String(retryAfterSeconds));
  send(
    ctx,
    messagePage(
      'Too many codes tried',
      'Too many wrong codes were entered, so codes are not accepted for a while.',
      `Try again in ${minutes} minute${minutes === 1 ? '' : 's'}. If your device's code has expired by then, start again on the device.`,
    ),
  );
}
