import type { DevMailbox } from '../mail/mailer.ts';
import { devMailPage } from '../views/dev-mail-page.ts';
import { behindBoundary, pageBoundary, render } from './respond.ts';
import type { RouteHandler } from './route.ts';

/**
 * `GET /dev/mail`: the mails `dev` kept instead of sending them. Mounted only with `dev`'s
 * mailbox (no PORTCULLIS_SMTP_URL in development); `serve` never has it.
 *
 * @example
 * const show = devMailRoute(mailbox);
 */
export function devMailRoute(mailbox: DevMailbox): RouteHandler {
  return behindBoundary(pageBoundary())((ctx) => render(ctx, 200, devMailPage(mailbox.list())));
}
