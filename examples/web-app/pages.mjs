// The app's HTML: plain pages with forms, no script, every value escaped.
import { createHash } from 'node:crypto';

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}' +
  'dt{font-weight:600}dd{margin:0 0 .5rem}form{margin:.5rem 0}.status{background:#ecfdf5;padding:.5rem}' +
  '.error{background:#fef2f2;padding:.5rem}';

/** Only this inline style may apply: the page's Content-Security-Policy allows it by its hash. */
export const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/** @param {unknown} value */
function escapeHtml(value) {
  return String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** @param {string} title @param {string} body */
function layout(title, body) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** The page of a visitor who is not signed in. @param {string | undefined} message */
export function signedOutPage(message) {
  return layout(
    'Notes Viewer',
    `<h1>Notes Viewer</h1>
${message ? `<p class="status" role="status">${escapeHtml(message)}</p>` : ''}
<p>An example third-party app: it signs you in with Portcullis and shows your notes from the
notes API.</p>
<p><a href="/login">Sign in</a></p>`,
  );
}

/**
 * @typedef {object} HomeData
 * @property {Record<string, unknown>} claims the ID token's claims
 * @property {{ text: string }[] | undefined} notes from the API, or undefined when it failed
 * @property {string | undefined} apiProblem why there are no notes
 * @property {string} scope what the user granted
 * @property {number} expiresAt the access token's expiry, ms since the epoch
 * @property {number} refreshes
 * @property {string} csrf
 * @property {string | undefined} flash
 */

/** The page of a signed-in user: who they are, their notes, and the token controls. @param {HomeData} data */
export function homePage(data) {
  const name = data.claims.name ?? data.claims.preferred_username ?? data.claims.sub;
  const csrf = `<input type="hidden" name="csrf" value="${escapeHtml(data.csrf)}">`;
  const claims = Object.entries(data.claims)
    .map(
      ([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(JSON.stringify(value))}</dd>`,
    )
    .join('\n');
  const notes =
    data.notes === undefined
      ? `<p class="error" role="alert">${escapeHtml(data.apiProblem ?? 'The API did not answer.')}</p>`
      : data.notes.length === 0
        ? '<p>No notes yet.</p>'
        : `<ul id="notes">\n${data.notes.map((n) => `<li>${escapeHtml(n.text)}</li>`).join('\n')}\n</ul>`;
  return layout(
    'Notes Viewer',
    `<h1>Notes Viewer</h1>
${data.flash ? `<p class="status" role="status">${escapeHtml(data.flash)}</p>` : ''}
<p>Signed in as <strong id="user">${escapeHtml(name)}</strong>.</p>

<h2>Notes, from the API</h2>
${notes}
<form method="post" action="/notes">
${csrf}
<label for="text">New note</label>
<input id="text" name="text" required maxlength="1000">
<button type="submit">Add note</button>
</form>

<h2>You, from the ID token</h2>
<dl>
${claims}
</dl>

<h2>Tokens</h2>
<p>The access token is for the notes API, with the scopes <code>${escapeHtml(data.scope)}</code>; it
expires at <span id="expires">${escapeHtml(new Date(data.expiresAt).toISOString())}</span>.
Refreshes so far: <span id="refreshes">${data.refreshes}</span>. The tokens stay on the server.</p>
<form method="post" action="/refresh">
${csrf}
<button type="submit">Refresh tokens</button>
</form>
<form method="post" action="/logout">
${csrf}
<button type="submit">Sign out</button>
</form>`,
  );
}

/** A problem, with a way back. @param {string} title @param {string} message */
export function problemPage(title, message) {
  return layout(
    title,
    `<h1>${escapeHtml(title)}</h1>
<p class="error" role="alert">${escapeHtml(message)}</p>
<p><a href="/">Back to Notes Viewer</a></p>`,
  );
}
