import { html, page } from './html.ts';
import { type Said, say } from './i18n.ts';

/**
 * A page that says what happened and what to do, without any detail an attacker could use: a
 * title, a message and a hint, each a catalogue message (views/i18n.ts, {@link Said}) in the
 * page's language.
 *
 * @example
 * messagePage('refused.title', 'refused.form', 'refused.form_hint');
 */
export function messagePage(title: Said, message: Said, hint?: Said): string {
  const heading = say(title);
  return page(
    heading,
    html`<h1>${heading}</h1>
<p>${say(message)}</p>
${hint === undefined ? html`` : html`<p class="muted">${say(hint)}</p>`}`,
  );
}
