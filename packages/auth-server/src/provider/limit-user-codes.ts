import type Koa from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { DeviceCodeLimits } from '../limits/device-code-limits.ts';
import { sendUserCodeLockout } from './pages.ts';

/**
 * Provider middleware that applies the user-code limits (RFC 8628 §5.1) to the device page:
 * every form posted to `path` (oidc-provider's `code_verification` route: a code entered,
 * confirmed or cancelled) is counted per address and server-wide before oidc-provider looks the
 * code up, and taken back once the code turns out to name a device authorization
 * (oidc-provider sets the `DeviceCode` entity only for a code that exists, is unexpired and
 * unused). While a limit is locked the form is answered with a 429 page and the code is not
 * looked up at all. The path is matched before oidc-provider routes the request: its body is
 * parsed further in, so the code itself is not known here.
 *
 * @example
 * provider.use(limitUserCodes(limits.deviceCode, provider.pathFor('code_verification')));
 */
export function limitUserCodes(limits: DeviceCodeLimits, path: string): Koa.Middleware {
  const limited: Koa.Middleware = async (ctx, next) => {
    const attempt = await limits.begin({ address: ctx.ip });
    if (attempt.retryAfterSeconds !== undefined) {
      sendUserCodeLockout(ctx as KoaContextWithOIDC, attempt.retryAfterSeconds);
      return;
    }
    await next();
    if ((ctx as Partial<KoaContextWithOIDC>).oidc?.entities.DeviceCode) await attempt.found();
  };
  // Every other request passes straight through, without a promise of its own.
  return (ctx, next) => (ctx.method !== 'POST' || ctx.path !== path ? next() : limited(ctx, next));
}
