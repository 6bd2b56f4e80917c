import { html } from '../../views/html.ts';
import { consolePage, type Operator } from './console-layout.ts';
import {
  checkbox,
  csrfField,
  type FormProblems,
  linesField,
  problemSummary,
  selectField,
  textField,
} from './form-fields.ts';

/** The resource form's fields as the operator typed them (register and edit). */
export interface ResourceFormValues {
  identifier: string;
  name: string;
  /** One `name=description` a line, as `resources create --scope` takes them. */
  scopes: string[];
  access_token_ttl: string;
  access_token_format: string;
  introspection_clients: string[];
  /** Scope names separated by spaces. */
  role_gated_scopes: string;
  roles_claim: boolean;
}

/** The form's labels by field, for the problem summary's links. */
const RESOURCE_LABELS = {
  identifier: 'Identifier',
  name: 'Name',
  scopes: 'Scopes',
  access_token_ttl: 'Access-token lifetime',
  access_token_format: 'Access-token format',
  introspection_clients: 'Clients that may introspect',
  role_gated_scopes: 'Scopes that need a role',
  roles_claim: 'Roles claim',
} as const;

const FORMATS = [
  { value: 'jwt', label: 'JWT (RFC 9068): verified by the API itself' },
  { value: 'opaque', label: 'Opaque: stored, revocable, introspected' },
];

/** The form registering a resource (`editing` undefined) or changing one. */
export function resourceFormPage(options: {
  operator: Operator;
  values: ResourceFormValues;
  problems: FormProblems;
  /** The resource being changed, with the ETag of the version the form shows. */
  editing?: { identifier: string; etag: string };
}): string {
  const { values, problems, editing, operator } = options;
  const title = editing ? `Edit ${values.name}` : 'Register a resource';
  const action = editing
    ? `/admin/resources/${encodeURIComponent(editing.identifier)}`
    : '/admin/resources';
  return consolePage({
    title,
    section: 'resources',
    operator,
    body: html`<p><a href="${editing ? action : '/admin/resources'}">${editing ? 'Back to the resource' : 'All resources'}</a></p>
<h1>${title}</h1>
${problemSummary(problems, RESOURCE_LABELS)}
<form method="post" action="${action}" class="panel" novalidate>
${csrfField(operator.csrf)}
${editing ? html`<input type="hidden" name="etag" value="${editing.etag}">` : html``}
${editing ? html`<p><span class="hint">Identifier (fixed once registered)</span><code>${editing.identifier}</code></p>` : textField({ name: 'identifier', label: RESOURCE_LABELS.identifier, value: values.identifier, hint: 'The API’s absolute URI (RFC 8707), as clients ask for it: https://api.example.com', problems, required: true, type: 'url' })}
${textField({ name: 'name', label: RESOURCE_LABELS.name, value: values.name, hint: 'Unique regardless of case', problems, required: true })}
${linesField({ name: 'scopes', label: RESOURCE_LABELS.scopes, value: values.scopes, hint: 'One a line as name=description; the description is what consent pages show', problems })}
${textField({ name: 'access_token_ttl', label: RESOURCE_LABELS.access_token_ttl, value: values.access_token_ttl, hint: editing ? 'Seconds or a duration such as 15m, at most 1d' : 'Seconds or a duration such as 15m, at most 1d; empty: 10 minutes', problems })}
${selectField({ name: 'access_token_format', label: RESOURCE_LABELS.access_token_format, value: values.access_token_format, choices: FORMATS, problems })}
${linesField({ name: 'introspection_clients', label: RESOURCE_LABELS.introspection_clients, value: values.introspection_clients, hint: 'Client IDs of confidential clients (the API’s own), one a line', problems })}
${textField({ name: 'role_gated_scopes', label: RESOURCE_LABELS.role_gated_scopes, value: values.role_gated_scopes, hint: 'Scope names separated by spaces: a user gets them only through a role', problems })}
${checkbox({ name: 'roles_claim', label: 'Put the user’s roles in their access tokens (a roles claim)', checked: values.roles_claim, problems })}
<button type="submit" class="primary">${editing ? 'Save changes' : 'Register'}</button>
</form>`,
  });
}
