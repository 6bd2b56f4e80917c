import type { KoaContextWithOIDC } from 'oidc-provider';
import { deviceCodeConfirmPage, deviceCodeInputPage } from '../views/device-code-pages.ts';
import { PAGE_HEADERS } from '../views/html.ts';
import { type MessageKey, t } from '../views/i18n.ts';
import { logoutPage } from '../views/logout-page.ts';
import { messagePage } from '../views/message-page.ts';

function send(ctx: KoaContextWithOIDC, body: string): void {
  ctx.set(PAGE_HEADERS);
  ctx.type = 'html';
  ctx.body = body;
}

// Errors shown to a browser: the OAuth error code is safe to show; descriptions can carry
// request details, so only a fixed sentence per situation is used.
// Each is the message `error.<code>` of views/messages (a pushed authorization request, RFC 9126,
// lives 60 seconds and serves one sign-in: invalid_request_uri says so).
const ERROR_MESSAGES = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_redirect_uri',
  'invalid_request_uri',
  'unauthorized_client',
  'access_denied',
  'invalid_scope',
  'invalid_target',
  'server_error',
  'temporarily_unavailable',
]);

/** The pages oidc-provider renders itself, in our layout and with our headers. */
export const providerPages = {
  async renderError(ctx: KoaContextWithOIDC, out: { error: string }) {
    send(
      ctx,
      messagePage(
        'error.title',
        ERROR_MESSAGES.has(out.error) ? (`error.${out.error}` as MessageKey) : 'error.other',
        { key: 'error.hint', params: { code: out.error } },
      ),
    );
  },

  async logoutSource(ctx: KoaContextWithOIDC, form: string) {
    // The issuer's host, not the request's Host header.
    send(ctx, logoutPage(form, new URL(ctx.oidc.issuer).host));
  },

  async postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
    send(ctx, messagePage('signed_out.title', 'signed_out.message', 'signed_out.hint'));
  },

  async userCodeInputSource(
    ctx: KoaContextWithOIDC,
    form: string,
    _out: unknown,
    error?: { message?: string; userCode?: string },
  ) {
    const message = error ? (error.userCode ? t('device.bad_code') : t('device.error')) : undefined;
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
    send(ctx, messagePage('device.connected_title', 'device.connected', 'device.connected_hint'));
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
      'device.lockout_title',
      'device.lockout',
      minutes === 1
        ? 'device.lockout_hint_one'
        : { key: 'device.lockout_hint', params: { minutes } },
    ),
  );
}
