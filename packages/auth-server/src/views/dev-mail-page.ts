import { html, page } from './html.ts';

/** A mail as `dev` kept it. */
export interface DevMailView {
  at: Date;
  to: string;
  subject: string;
  text: string;
}

const LINK = /(https?:\/\/[^\s]+)/;

/** `dev`'s /dev/mail: the mails the server would have sent, newest first, links clickable. */
export function devMailPage(mails: readonly DevMailView[]): string {
  return page(
    'Mail (dev)',
    html`<h1>Mail kept by dev</h1>
<p class="muted">Without PORTCULLIS_SMTP_URL, <code>portcullis dev</code> sends no mail: it prints it and keeps the last 50 here. <code>serve</code> has no such page.</p>
${
  mails.length === 0
    ? html`<p>No mail yet.</p>`
    : mails.map(
        (mail, i) => html`<section class="app" aria-labelledby="mail-${i}">
<h2 id="mail-${i}">${mail.subject}</h2>
<p class="muted">To ${mail.to}, ${mail.at.toISOString()}</p>
<pre class="mail">${mail.text.split(LINK).map((part, j) => (j % 2 === 1 ? html`<a href="${part}">${part}</a>` : part))}</pre>
</section>`,
      )
}`,
  );
}
