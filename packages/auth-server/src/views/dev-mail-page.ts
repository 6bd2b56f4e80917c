import { html, page, tHtml } from './html.ts';
import { currentLanguage, t } from './i18n.ts';

/** A mail as `dev` kept it. */
export interface DevMailView {
  at: Date;
  to: string;
  subject: string;
  text: string;
}

const LINK = /(https?:\/\/[^\s]+)/;

/**
 * `dev`'s /dev/mail: the mails the server would have sent, newest first, links clickable; the
 * page's words in the request's language (each mail in the language it was written in).
 */
export function devMailPage(mails: readonly DevMailView[]): string {
  const when = new Intl.DateTimeFormat(currentLanguage(), {
    dateStyle: 'medium',
    timeStyle: 'medium',
    timeZone: 'UTC',
  });
  return page(
    t('devmail.title'),
    html`<h1>${t('devmail.heading')}</h1>
<p class="muted">${tHtml('devmail.intro', { dev: html`<code>portcullis dev</code>`, serve: html`<code>serve</code>` })}</p>
${
  mails.length === 0
    ? html`<p>${t('devmail.none')}</p>`
    : mails.map(
        (mail, i) => html`<section class="app" aria-labelledby="mail-${i}">
<h2 id="mail-${i}">${mail.subject}</h2>
<p class="muted">${t('devmail.to', { address: mail.to, at: `${when.format(mail.at)} UTC` })}</p>
<pre class="mail">${mail.text.split(LINK).map((part, j) => (j % 2 === 1 ? html`<a href="${part}">${part}</a>` : part))}</pre>
</section>`,
      )
}`,
  );
}
