import { html, type SafeHtml } from '../../views/html.ts';
import { csrfField, type FormProblems, problemSummary, textField } from './form-fields.ts';

/**
 * The form staging a key rotation (for an operator with admin:keys): new keys published now,
 * signing after the propagation time; the API's refusal of that time next to the field.
 */
export function keyRotationForm(options: {
  csrf: string;
  propagation: string;
  problems: FormProblems;
}): SafeHtml {
  const { problems } = options;
  return html`<h2>Stage a rotation</h2>
${problemSummary(problems, { propagation: 'Propagation time' })}
<form method="post" action="/admin/keys/rotations" class="panel">
${csrfField(options.csrf)}
<p>New keys for every algorithm are published now and sign once every resource server has had time to fetch them; the keys they replace stay published until the tokens they signed have expired. An emergency rotation (signing at once) is for <code>portcullis keys rotate --now</code>.</p>
${textField({ name: 'propagation', label: 'Propagation time', value: options.propagation, hint: 'Longer than any resource server caches the JWKS: 90s, 15m, 1h (empty: 1h), up to 30d', problems })}
<button type="submit" class="primary">Stage the rotation</button>
</form>`;
}
