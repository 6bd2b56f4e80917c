import type { userJson } from '../../admin/users/user-operations.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { consolePage, type Operator } from './console-layout.ts';
import {
  actionButton,
  csrfField,
  type FormProblems,
  NO_PROBLEMS,
  problemSummary,
  textField,
} from './form-fields.ts';

// A user as the admin API sends them (users-views.ts, which shows these forms, names it too).
type UserJson = Awaited<ReturnType<typeof userJson>>;

/** The new user form's fields as typed; never the password, which is not shown again. */
export interface UserFormValues {
  username: string;
  email: string;
  name: string;
}

const USER_LABELS = {
  username: 'Username',
  password: 'Password',
  email: 'Email',
  name: 'Name',
  role: 'Role',
} as const;

const PASSWORD_HINT = '8 to 1024 characters, not the username; it is never shown again';

const userPath = (id: string) => `/admin/users/${encodeURIComponent(id)}`;

// A user form's page: a link back, the heading, the problems' summary and the form.
function userFormPage(options: {
  operator: Operator;
  title: string;
  back: { href: string; label: string };
  action: string;
  problems: FormProblems;
  etag?: string;
  fields: SafeHtml;
  button: string;
}): string {
  const { operator, problems } = options;
  return consolePage({
    title: options.title,
    section: 'users',
    operator,
    body: html`<p><a href="${options.back.href}">${options.back.label}</a></p>
<h1>${options.title}</h1>
${problemSummary(problems, USER_LABELS)}
<form method="post" action="${options.action}" class="panel" novalidate>
${csrfField(operator.csrf)}
${options.etag === undefined ? html`` : html`<input type="hidden" name="etag" value="${options.etag}">`}
${options.fields}
<button type="submit" class="primary">${options.button}</button>
</form>`,
  });
}

/** The form creating a user (`users create`): username, password, email and name. */
export function newUserPage(options: {
  operator: Operator;
  values: UserFormValues;
  problems: FormProblems;
}): string {
  const { values, problems } = options;
  return userFormPage({
    operator: options.operator,
    title: 'Create a user',
    back: { href: '/admin/users', label: 'All users' },
    action: '/admin/users',
    problems,
    button: 'Create',
    fields: html`${textField({ name: 'username', label: USER_LABELS.username, value: values.username, hint: 'Letters, digits, ".", "_", "@" or "-"; unique regardless of case', problems, required: true, autocomplete: 'off' })}
${textField({ name: 'password', label: USER_LABELS.password, value: '', type: 'password', hint: PASSWORD_HINT, problems, required: true, autocomplete: 'new-password' })}
${textField({ name: 'email', label: USER_LABELS.email, value: values.email, type: 'email', hint: 'Optional; unverified until its owner follows a link', problems, autocomplete: 'off' })}
${textField({ name: 'name', label: USER_LABELS.name, value: values.name, hint: 'Optional; the name apps are given', problems, autocomplete: 'off' })}`,
  });
}

/** The form changing a user's address (empty: none), sent with the ETag of the user shown. */
export function emailPage(options: {
  operator: Operator;
  user: UserJson;
  etag: string;
  email: string;
  problems: FormProblems;
}): string {
  const { user, problems } = options;
  return userFormPage({
    operator: options.operator,
    title: `Change ${user.username}’s email`,
    back: { href: userPath(user.id), label: `Back to ${user.username}` },
    action: `${userPath(user.id)}/email`,
    problems,
    etag: options.etag,
    button: 'Save the address',
    fields: textField({
      name: 'email',
      label: USER_LABELS.email,
      value: options.email,
      type: 'email',
      hint: 'A new address is unverified until its owner follows a link; empty: none',
      problems,
      autocomplete: 'off',
    }),
  });
}

/** The form setting a user's password: never filled in, never shown back. */
export function passwordPage(options: {
  operator: Operator;
  user: UserJson;
  etag: string;
  problems: FormProblems;
}): string {
  const { user, problems } = options;
  return userFormPage({
    operator: options.operator,
    title: `Set a new password for ${user.username}`,
    back: { href: userPath(user.id), label: `Back to ${user.username}` },
    action: `${userPath(user.id)}/password`,
    problems,
    etag: options.etag,
    button: 'Set the password',
    fields: textField({
      name: 'password',
      label: 'New password',
      value: '',
      type: 'password',
      hint: PASSWORD_HINT,
      problems,
      required: true,
      autocomplete: 'new-password',
    }),
  });
}

// The role field, as the user's page and the refused form show it.
const roleField = (value: string, problems: FormProblems) =>
  textField({
    name: 'role',
    label: USER_LABELS.role,
    value,
    hint: 'The name of an existing role, as portcullis roles list shows it',
    problems,
    required: true,
    autocomplete: 'off',
  });

/** The add-role form again, with the API's refusal next to the field. */
export function rolePage(options: {
  operator: Operator;
  user: UserJson;
  etag: string;
  role: string;
  problems: FormProblems;
}): string {
  const { user, problems } = options;
  return userFormPage({
    operator: options.operator,
    title: `Give ${user.username} a role`,
    back: { href: userPath(user.id), label: `Back to ${user.username}` },
    action: `${userPath(user.id)}/roles`,
    problems,
    etag: options.etag,
    button: 'Add the role',
    fields: roleField(options.role, problems),
  });
}

/**
 * A user's page's changes: links to the email and password forms and the deletion's
 * confirmation, then their roles, each with a button taking it away, and a form adding one (the
 * ETag of the user shown goes with each).
 */
export function userEditing(options: { operator: Operator; user: UserJson; etag: string }) {
  const { user, operator, etag } = options;
  const path = userPath(user.id);
  const actions = html`<div class="actions">
<a class="button secondary" href="${path}/email">Change email</a>
<a class="button secondary" href="${path}/password">Set a new password</a>
<a class="button danger" href="${path}/delete">Delete</a>
</div>`;
  const roles = html`<h2>Roles</h2>
${
  user.roles.length > 0
    ? html`<table>
<thead><tr><th scope="col">Role</th><th scope="col">Remove</th></tr></thead>
<tbody>
${user.roles.map((role) => html`<tr><td>${role}</td><td>${actionButton({ action: `${path}/roles/${encodeURIComponent(role)}/remove`, label: `Remove ${role}`, csrf: operator.csrf, etag, kind: 'secondary' })}</td></tr>`)}
</tbody>
</table>`
    : html`<p>No role.</p>`
}
<form method="post" action="${path}/roles" class="toolbar">
${csrfField(operator.csrf)}<input type="hidden" name="etag" value="${etag}">
<div>${roleField('', NO_PROBLEMS)}</div>
<button type="submit" class="secondary">Add the role</button>
</form>`;
  return { actions, roles };
}
