import { html, page } from './html.ts';

/** A page that says what happened and what to do, without any detail an attacker could use. */
export function messagePage(title: string, message: string, hint?: string): string {
  return page(
    title,
    html`<h1>${title}</h1>
<p>${message}</p>
${hint ? html`<p class="muted">${hint}</p>` : html``}`,
  );
}
