import type { ApplyAction, ApplyResultJson, FieldChange } from '@portcullis/auth-server';

const MARKS: Readonly<Record<ApplyAction, string>> = {
  create: '+',
  update: '~',
  unchanged: '=',
  delete: '-',
  not_in_file: '?',
};

const value = (v: unknown) => (v === null ? '(none)' : JSON.stringify(v));

function describeChange(change: FieldChange, action: ApplyAction): string {
  if (action === 'create') return `      ${change.field}: ${value(change.after)}`;
  if (change.after === null && change.field.startsWith('scopes.')) {
    return `      ${change.field}: ${value(change.before)} -> (deleted)`;
  }
  return `      ${change.field}: ${value(change.before)} -> ${value(change.after)}`;
}

function entryLines(
  label: string,
  action: ApplyAction,
  changes: readonly FieldChange[],
  plan: boolean,
): string[] {
  const done: Record<ApplyAction, string> = plan
    ? {
        create: 'to create',
        update: 'to update',
        unchanged: 'unchanged',
        delete: 'to delete',
        not_in_file: 'not in the file: left alone (--prune deletes it)',
      }
    : {
        create: 'created',
        update: 'updated',
        unchanged: 'unchanged',
        delete: 'deleted',
        not_in_file: 'not in the file: left alone (--prune deletes it)',
      };
  return [
    `  ${MARKS[action]} ${label}: ${done[action]}`,
    ...changes.map((c) => describeChange(c, action)),
  ];
}

function resourceLines(resource: ApplyResultJson['resources'][number], plan: boolean): string[] {
  return [
    ...entryLines(resource.identifier, resource.action, resource.changes, plan),
    ...resource.scopes_not_in_file.map(
      (scope) => `      scope ${scope}: not in the file: left alone (--prune deletes it)`,
    ),
  ];
}

function clientLines(client: ApplyResultJson['clients'][number], plan: boolean): string[] {
  const label = client.client_id ? `${client.name} (${client.client_id})` : client.name;
  return [
    ...entryLines(label, client.action, client.changes, plan),
    ...(client.new_secret
      ? [`      client secret: ${plan ? 'one will be generated and' : 'new, below,'} shown once`]
      : []),
  ];
}

/**
 * The human report of a result (its JSON, local or from the admin API): each resource, client, role and identity provider with a mark (`+` create, `~` update, `=` unchanged,
 * `-` delete, `?` not in the file), the fields that change as `before -> after`, a summary line,
 * and the new secrets, shown once.
 *
 * @example
 * printLines(io, reportLines(applyResultJson(result), 'portcullis.yaml'));
 */
export function reportLines(result: ApplyResultJson, file: string): string[] {
  const plan = !result.applied;
  const lines: string[] = [];
  if (result.resources.length > 0) {
    lines.push('resources:', ...result.resources.flatMap((r) => resourceLines(r, plan)));
  }
  if (result.clients.length > 0) {
    lines.push('clients:', ...result.clients.flatMap((c) => clientLines(c, plan)));
  }
  if (result.roles.length > 0) {
    lines.push(
      'roles:',
      ...result.roles.flatMap((r) => entryLines(r.name, r.action, r.changes, plan)),
    );
  }
  if (result.identity_providers.length > 0) {
    lines.push(
      'identity_providers:',
      ...result.identity_providers.flatMap((p) => entryLines(p.name, p.action, p.changes, plan)),
    );
  }
  const n = result.summary;
  const counts = [
    `${n.create} ${plan ? 'to create' : 'created'}`,
    `${n.update} ${plan ? 'to update' : 'updated'}`,
    ...(n.delete > 0 ? [`${n.delete} ${plan ? 'to delete' : 'deleted'}`] : []),
    `${n.unchanged} unchanged`,
    ...(n.not_in_file > 0 ? [`${n.not_in_file} not in the file`] : []),
  ].join(', ');
  if (!result.changed) {
    const kept = n.not_in_file > 0 ? `, ${n.not_in_file} not in the file` : '';
    lines.push(
      `no changes: the registration already matches ${file} (${n.unchanged} unchanged${kept})`,
    );
  } else if (plan) {
    lines.push(`plan: ${counts}; nothing was changed (run without --plan to apply)`);
  } else {
    lines.push(`applied: ${counts}`);
  }
  const secrets = Object.entries(result.secrets);
  if (secrets.length > 0) {
    lines.push(
      '',
      `new client secrets, shown only now (store them safely: they are not written to ${file}):`,
      ...secrets.map(([name, secret]) => `  ${name}: ${secret}`),
    );
  }
  return lines;
}
