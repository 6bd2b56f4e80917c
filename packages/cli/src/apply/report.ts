import type {
  ApplyAction,
  ApplyDeclarationResult,
  ClientOutcome,
  FieldChange,
  ResourceOutcome,
} from '@portcullis/auth-server';

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

function resourceLines(resource: ResourceOutcome, plan: boolean): string[] {
  return [
    ...entryLines(resource.identifier, resource.action, resource.changes, plan),
    ...resource.scopesNotInFile.map(
      (scope) => `      scope ${scope}: not in the file: left alone (--prune deletes it)`,
    ),
  ];
}

function clientLines(client: ClientOutcome, plan: boolean): string[] {
  const label = client.clientId ? `${client.name} (${client.clientId})` : client.name;
  return [
    ...entryLines(label, client.action, client.changes, plan),
    ...(client.newSecret
      ? [`      client secret: ${plan ? 'one will be generated and' : 'new, below,'} shown once`]
      : []),
  ];
}

/**
 * Counts of entries by action, as `--json` prints them under `summary`.
 *
 * @example
 * summarize(result); // { create: 2, update: 1, delete: 0, unchanged: 3, not_in_file: 1 }
 */
function summarize(result: ApplyDeclarationResult): Record<ApplyAction, number> {
  const counts: Record<ApplyAction, number> = {
    create: 0,
    update: 0,
    delete: 0,
    unchanged: 0,
    not_in_file: 0,
  };
  for (const entry of [
    ...result.resources,
    ...result.clients,
    ...result.roles,
    ...result.identityProviders,
  ]) {
    counts[entry.action] += 1;
  }
  return counts;
}

/** True when the result changes (or, as a plan, would change) anything. */
function hasChanges(result: ApplyDeclarationResult): boolean {
  const counts = summarize(result);
  return counts.create + counts.update + counts.delete > 0;
}

/**
 * The result as `--json` prints it: snake_case keys, every entry with its action and field
 * changes, the new secrets by client name.
 *
 * @example
 * printJson(io, resultJson(result));
 */
export function resultJson(result: ApplyDeclarationResult) {
  return {
    applied: result.applied,
    changed: hasChanges(result),
    summary: summarize(result),
    resources: result.resources.map((r) => ({
      identifier: r.identifier,
      action: r.action,
      changes: r.changes,
      scopes_not_in_file: r.scopesNotInFile,
    })),
    clients: result.clients.map((c) => ({
      name: c.name,
      client_id: c.clientId,
      action: c.action,
      changes: c.changes,
      new_secret: c.newSecret,
    })),
    roles: result.roles.map((r) => ({ name: r.name, action: r.action, changes: r.changes })),
    identity_providers: result.identityProviders.map((p) => ({
      name: p.name,
      action: p.action,
      changes: p.changes,
    })),
    secrets: result.secrets,
  };
}

/**
 * The human report: each resource, client, role and identity provider with a mark (`+` create, `~` update, `=` unchanged,
 * `-` delete, `?` not in the file), the fields that change as `before -> after`, a summary line,
 * and the new secrets, shown once.
 *
 * @example
 * printLines(io, reportLines(result, 'portcullis.yaml'));
 */
export function reportLines(result: ApplyDeclarationResult, file: string): string[] {
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
  if (result.identityProviders.length > 0) {
    lines.push(
      'identity_providers:',
      ...result.identityProviders.flatMap((p) => entryLines(p.name, p.action, p.changes, plan)),
    );
  }
  const n = summarize(result);
  const counts = [
    `${n.create} ${plan ? 'to create' : 'created'}`,
    `${n.update} ${plan ? 'to update' : 'updated'}`,
    ...(n.delete > 0 ? [`${n.delete} ${plan ? 'to delete' : 'deleted'}`] : []),
    `${n.unchanged} unchanged`,
    ...(n.not_in_file > 0 ? [`${n.not_in_file} not in the file`] : []),
  ].join(', ');
  if (!hasChanges(result)) {
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
