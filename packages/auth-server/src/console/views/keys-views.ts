import { html, type SafeHtml } from '../../views/html.ts';
import { consolePage, type Operator } from './console-layout.ts';

/** A signing key and its schedule as the admin API sends it (`keys list --json`'s shape). */
export interface SigningKeyJson {
  kid: string;
  alg: string;
  state: string;
  created_at: string;
  activated_at: string | null;
  retired_at: string | null;
  activates_at: string | null;
  removes_at: string | null;
}

const when = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '');

/**
 * The signing keys and their schedule: which signs, which waits, which is on its way out; then
 * `rotation`, the form staging a rotation, for an operator who may.
 */
export function keysPage(options: {
  operator: Operator;
  keys: readonly SigningKeyJson[];
  rotation?: SafeHtml | undefined;
}): string {
  return consolePage({
    title: 'Signing keys',
    section: 'keys',
    operator: options.operator,
    body: html`<h1>Signing keys</h1>
<p class="muted">Rotate with <code>portcullis keys rotate</code> (staged) or <code>--now</code>; the schedule below is the server's.</p>
<table>
<thead><tr><th scope="col">Key ID</th><th scope="col">Algorithm</th><th scope="col">State</th><th scope="col">Created</th><th scope="col">Signs from</th><th scope="col">Retired</th><th scope="col">Leaves the JWKS</th></tr></thead>
<tbody>
${options.keys.map(
  (key) =>
    html`<tr><td><code>${key.kid}</code></td><td>${key.alg}</td><td>${key.state}</td><td>${when(key.created_at)}</td><td>${when(key.activated_at ?? key.activates_at)}</td><td>${when(key.retired_at)}</td><td>${when(key.removes_at)}</td></tr>`,
)}
</tbody>
</table>
${options.rotation ?? html``}`,
  });
}
