import { html, page } from './html.ts';
import { localize } from './i18n.ts';

/**
 * A page that says what happened and what to do, without any detail an attacker could use. A
 * title, message or hint that is an English message word for word is shown in the page's
 * language (views/i18n.ts, `localize`).
 */
export function messagePage(
  englishTitle: string,
  englishMessage: string,
  englishHint?: string,
): string {
  const [title, message, hint] = [englishTitle, englishMessage, englishHint].map((text) =>
    text === undefined ? undefined : localize(text),
  ) as [string, string, string | undefined];
  return page(
    title,
    html`<h1>${title}</h1>
<p>${message}</p>
${hint ? html`<p class="muted">${hint}</p>` : html``}`,
  );
}
