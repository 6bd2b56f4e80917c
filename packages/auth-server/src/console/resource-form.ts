import { formLines } from './form-values.ts';
import type { ResourceFormValues } from './views/resource-form-views.ts';
import type { ResourceJson } from './views/resources-views.ts';

const words = (value: string) => value.split(/\s+/).filter(Boolean);

/** The resource form's values as typed. */
export function resourceFormValues(form: Readonly<Record<string, string>>): ResourceFormValues {
  return {
    identifier: (form.identifier ?? '').trim(),
    name: (form.name ?? '').trim(),
    scopes: formLines(form.scopes),
    access_token_ttl: (form.access_token_ttl ?? '').trim(),
    access_token_format: form.access_token_format ?? 'jwt',
    introspection_clients: formLines(form.introspection_clients),
    role_gated_scopes: words(form.role_gated_scopes ?? '').join(' '),
    roles_claim: form.roles_claim === 'on',
  };
}

/** A resource's values as its edit form shows them. */
export const resourceValuesOf = (resource: ResourceJson): ResourceFormValues => ({
  identifier: resource.identifier,
  name: resource.name,
  scopes: resource.scopes.map((s) => `${s.name}=${s.description}`),
  access_token_ttl: String(resource.access_token_ttl),
  access_token_format: resource.access_token_format,
  introspection_clients: resource.introspection_clients,
  role_gated_scopes: resource.role_gated_scopes.join(' '),
  roles_claim: resource.roles_claim,
});

/** An empty registration form: the service's defaults. */
export const NEW_RESOURCE: ResourceFormValues = {
  identifier: '',
  name: '',
  scopes: [],
  access_token_ttl: '',
  access_token_format: 'jwt',
  introspection_clients: [],
  role_gated_scopes: '',
  roles_claim: false,
};

// `name=description` lines as the API's scope definitions; a line without `=` is a name with no
// description, which the API refuses in its own words (next to the field).
function scopeDefinitions(lines: readonly string[]) {
  return lines.map((line) => {
    const at = line.indexOf('=');
    return at < 0
      ? { name: line, description: '' }
      : { name: line.slice(0, at).trim(), description: line.slice(at + 1).trim() };
  });
}

/** A lifetime as the API takes it: whole seconds as a number, a duration (`15m`) as text. */
const lifetime = (value: string): string | number => (/^\d+$/.test(value) ? Number(value) : value);

/** The body of `POST /admin/v1/resources`: what was filled in; the service's defaults for the rest. */
export function createResourceBody(values: ResourceFormValues): Record<string, unknown> {
  const gated = words(values.role_gated_scopes);
  return {
    identifier: values.identifier,
    name: values.name,
    scopes: scopeDefinitions(values.scopes),
    access_token_format: values.access_token_format,
    ...(values.access_token_ttl ? { access_token_ttl: lifetime(values.access_token_ttl) } : {}),
    ...(values.introspection_clients.length > 0
      ? { introspection_clients: values.introspection_clients }
      : {}),
    ...(gated.length > 0 ? { role_gated_scopes: gated } : {}),
    ...(values.roles_claim ? { roles_claim: true } : {}),
  };
}

/**
 * The PATCH body of an edit: only what differs from the resource as it is. Scopes are added or
 * described anew (`put_scopes`) and removed by name (`remove_scopes`); role gating is changed
 * for the scopes added to or taken off its list; an emptied lifetime is left as it is.
 */
export function updateResourceBody(
  values: ResourceFormValues,
  current: ResourceJson,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (values.name !== current.name) body.name = values.name;
  if (values.access_token_ttl && values.access_token_ttl !== String(current.access_token_ttl)) {
    body.access_token_ttl = lifetime(values.access_token_ttl);
  }
  if (values.access_token_format !== current.access_token_format) {
    body.access_token_format = values.access_token_format;
  }
  if (values.introspection_clients.join('\n') !== current.introspection_clients.join('\n')) {
    body.introspection_clients = values.introspection_clients;
  }
  const scopes = scopeDefinitions(values.scopes);
  const described = new Map(current.scopes.map((s) => [s.name, s.description]));
  const put = scopes.filter((s) => described.get(s.name) !== s.description);
  const kept = new Set(scopes.map((s) => s.name));
  const removed = current.scopes.map((s) => s.name).filter((name) => !kept.has(name));
  if (put.length > 0) body.put_scopes = put;
  if (removed.length > 0) body.remove_scopes = removed;
  const gated = new Set(words(values.role_gated_scopes));
  const wasGated = new Set(current.role_gated_scopes);
  const gate = [...gated].filter((name) => !wasGated.has(name));
  // A removed scope takes its gating with it.
  const ungate = [...wasGated].filter((name) => !gated.has(name) && kept.has(name));
  if (gate.length > 0) body.gate_scopes = gate;
  if (ungate.length > 0) body.ungate_scopes = ungate;
  if (values.roles_claim !== current.roles_claim) body.roles_claim = values.roles_claim;
  return body;
}

/** The form's field of each body member an edit sends under another name. */
export const RESOURCE_FIELD_ALIASES: Readonly<Record<string, string>> = {
  put_scopes: 'scopes',
  remove_scopes: 'scopes',
  gate_scopes: 'role_gated_scopes',
  ungate_scopes: 'role_gated_scopes',
};
