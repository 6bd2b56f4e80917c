import { html, type SafeHtml } from '../../views/html.ts';
import { currentBrand } from '../../views/page-context.ts';

/** The console's stylesheet's path (console-styles.ts), served by the console's routes. */
export const CONSOLE_STYLESHEET_PATH = '/admin/assets/console.css';

/** The console's sections, in the navigation's order: each needs one of the token's scopes. */
const SECTIONS = [
  { id: 'clients', label: 'Clients', path: '/admin/clients', scope: 'admin:read' },
  { id: 'resources', label: 'Resources', path: '/admin/resources', scope: 'admin:read' },
  { id: 'users', label: 'Users', path: '/admin/users', scope: 'admin:users' },
  { id: 'grants', label: 'Grants', path: '/admin/grants', scope: 'admin:read' },
  { id: 'keys', label: 'Signing keys', path: '/admin/keys', scope: 'admin:read' },
  { id: 'audit', label: 'Audit trail', path: '/admin/audit', scope: 'admin:read' },
  { id: 'doctor', label: 'Doctor', path: '/admin/doctor', scope: 'admin:read' },
] as const;

/** A section of the navigation. */
export type Section = (typeof SECTIONS)[number]['id'];

/** Who is signed in, as the layout shows it, and the sign-out form's CSRF token. */
export interface Operator {
  /** What the header names them by. */
  name: string;
  scopes: readonly string[];
  csrf: string;
}

/**
 * A console page: the header with the navigation (the sections the operator's scopes allow) and
 * the sign-out button, then `body` in `main`. English only: the console is an operator's tool,
 * as the CLI and the admin API's problem details (which it shows as they come) are.
 *
 * @example
 * consolePage({ title: 'Clients', section: 'clients', operator, body: html`<h1>Clients</h1>` });
 */
export function consolePage(options: {
  title: string;
  section?: Section;
  operator?: Operator;
  body: SafeHtml;
}): string {
  const brand = currentBrand();
  const { operator } = options;
  const nav = operator
    ? html`<nav aria-label="Console"><ul>${SECTIONS.filter((s) =>
        operator.scopes.includes(s.scope),
      ).map(
        (s) =>
          html`<li><a href="${s.path}"${s.id === options.section ? html` aria-current="page"` : html``}>${s.label}</a></li>`,
      )}</ul></nav>
<div class="who"><span>Signed in as ${operator.name}</span><form method="post" action="/admin/sign-out"><input type="hidden" name="csrf" value="${operator.csrf}"><button type="submit">Sign out</button></form></div>`
    : html``;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · ${brand.name} console</title>
<link rel="stylesheet" href="${CONSOLE_STYLESHEET_PATH}">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><span class="product">${brand.name} console</span>
${nav}
</header>
<main id="main">
${options.body}
</main>
</body>
</html>
`.html;
}

/** The line saying what a change just did (a fixed sentence of the page's own), if any. */
export const noticeLine = (text: string | undefined): SafeHtml =>
  text ? html`<p class="notice" role="status">${text}</p>` : html``;

/**
 * A page that says what happened and what to do: a heading, a sentence, an optional hint and
 * link.
 *
 * @example
 * consoleMessage({ title: 'Not allowed', message: '...', link: { href: '/admin', label: 'Back' } });
 */
export function consoleMessage(options: {
  title: string;
  message: string;
  hint?: string;
  link?: { href: string; label: string };
  operator?: Operator;
}): string {
  return consolePage({
    title: options.title,
    ...(options.operator ? { operator: options.operator } : {}),
    body: html`<h1>${options.title}</h1>
<div class="panel">
<p>${options.message}</p>
${options.hint ? html`<p class="muted">${options.hint}</p>` : html``}
${options.link ? html`<p><a href="${options.link.href}">${options.link.label}</a></p>` : html``}
</div>`,
  });
}
