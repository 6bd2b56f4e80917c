import { html, type SafeHtml } from '../../views/html.ts';
import { consolePage, type Operator, type Section } from './console-layout.ts';
import { csrfField } from './form-fields.ts';

/**
 * The confirmation step of a deletion: what goes, and one form that deletes it (its CSRF token
 * and the ETag of the version shown, so that a change made meanwhile is refused with 412), with a
 * way back that changes nothing. `choices` adds fields to that form (a checkbox to force it).
 *
 * @example
 * confirmPage({ operator, section: 'users', title: 'Delete alice?', ... });
 */
export function confirmPage(options: {
  operator: Operator;
  section: Section;
  title: string;
  /** What the deletion does, in a sentence or two. */
  message: SafeHtml;
  action: string;
  etag: string;
  button: string;
  back: { href: string; label: string };
  choices?: SafeHtml;
}): string {
  const { operator } = options;
  return consolePage({
    title: options.title,
    section: options.section,
    operator,
    body: html`<h1>${options.title}</h1>
<div class="panel">
${options.message}
<form method="post" action="${options.action}">
${csrfField(operator.csrf)}<input type="hidden" name="etag" value="${options.etag}">
${options.choices ?? html``}
<div class="actions"><button type="submit" class="danger">${options.button}</button><a class="button secondary" href="${options.back.href}">${options.back.label}</a></div>
</form>
</div>`,
  });
}
