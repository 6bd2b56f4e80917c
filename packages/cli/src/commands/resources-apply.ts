import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ApplyResourcesResult, ResourceChange } from '@portcullis/auth-server';
import type { Command } from 'commander';
import { CliError, describeError } from '../errors.ts';
import { loadServices } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import { localOnly } from '../remote/local-only.ts';
import { type Io, withDatabase } from '../runtime.ts';

interface Options {
  from: string;
  prune?: boolean;
  plan?: boolean;
  json?: boolean;
}

const moduleExtensions = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);
const maxJsonBytes = 1024 * 1024;

async function readJson(file: string, shown: string): Promise<unknown> {
  const { size } = await stat(file);
  if (size > maxJsonBytes) throw new CliError(`${shown} is larger than 1 MiB`);
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new CliError(`${shown} is not valid JSON: ${describeError(error)}`);
  }
}

// The operator's own module, run like a configuration file: what `defineCatalogue` returned
// (its `toJSON()`), or a plain object of the same JSON shape.
async function readModule(file: string, shown: string): Promise<unknown> {
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(file).href);
  } catch (error) {
    throw new CliError(`cannot load ${shown}: ${describeError(error)}`);
  }
  const { default: byDefault, catalogue: named } = module;
  if (byDefault !== undefined && named !== undefined && byDefault !== named) {
    throw new CliError(`${shown} exports a default and a "catalogue" that differ: export one`);
  }
  const value = byDefault ?? named;
  if (value === undefined) {
    throw new CliError(`${shown} exports no catalogue: export it as default or as "catalogue"`);
  }
  const toJSON = (value as { toJSON?: unknown } | null)?.toJSON;
  return typeof toJSON === 'function' ? toJSON.call(value) : value;
}

/** Reads the catalogue at `from`: a .json file, or a .ts/.js module exporting one. */
async function loadCatalogue(from: string): Promise<unknown> {
  const file = path.resolve(from);
  const stats = await stat(file).catch(() => undefined);
  if (stats === undefined) throw new CliError(`cannot read ${from}: no such file`);
  if (!stats.isFile()) throw new CliError(`${from} is not a file`);
  const extension = path.extname(file).toLowerCase();
  if (extension === '.json') return readJson(file, from);
  if (moduleExtensions.has(extension)) return readModule(file, from);
  throw new CliError(`${from}: give a .json file or a .ts or .js module`);
}

function describeChange(change: ResourceChange): string {
  switch (change.action) {
    case 'create_resource':
      return `  + create resource "${change.name}"`;
    case 'rename_resource':
      return `  ~ rename "${change.from}" -> "${change.to}"`;
    case 'add_scope':
      return `  + scope ${change.scope}: ${change.description}`;
    case 'update_scope':
      return `  ~ scope ${change.scope}: "${change.from}" -> "${change.to}"`;
    case 'delete_scope':
      return `  - scope ${change.scope} (deleted)`;
  }
}

function report(result: ApplyResourcesResult, identifiers: readonly string[]): string[] {
  const lines: string[] = [];
  for (const identifier of identifiers) {
    const changes = result.changes.filter((c) => c.resource === identifier);
    const kept = result.undeclared.filter((u) => u.resource === identifier);
    lines.push(changes.length === 0 ? `${identifier}: unchanged` : `${identifier}:`);
    lines.push(...changes.map(describeChange));
    lines.push(
      ...kept.map((u) => `  ! scope ${u.scope} is not declared: kept (--prune deletes it)`),
    );
  }
  const count = `${result.changes.length} change${result.changes.length === 1 ? '' : 's'}`;
  if (result.changes.length === 0) lines.push('no changes: the registration matches the catalogue');
  else if (result.applied) lines.push(`applied ${count}`);
  else lines.push(`plan: ${count}; nothing written (run without --plan to apply)`);
  return lines;
}

/** `portcullis resources apply`: registers a catalogue of resources and scopes, idempotently. */
export function registerResourcesApply(resources: Command, io: Io): void {
  // The admin API applies whole declarations (`portcullis apply`), not resource catalogues.
  localOnly(resources.command('apply'))
    .description(
      'create or update API resources and their scopes from a catalogue (defineCatalogue or JSON)',
    )
    .requiredOption(
      '--from <path>',
      'a .ts/.js module exporting a catalogue (default or "catalogue"), or a .json file',
    )
    .option('--prune', 'delete registered scopes the catalogue no longer declares')
    .option('--plan', 'print what would change and write nothing')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Resources the catalogue does not mention are left alone. Everything is applied in one
transaction; running servers see the changes within a second.

Example:
  $ portcullis resources apply --from packages/example-api/src/catalogue.ts --plan`,
    )
    .action(async (options: Options) => {
      const { applyResources, parseResourceCatalogue } = await loadServices();
      const declared = parseResourceCatalogue(await loadCatalogue(options.from));
      const result = await withDatabase(io, (db) =>
        applyResources(db, declared, { prune: options.prune, dryRun: options.plan }),
      );
      if (options.json) return printJson(io, result);
      printLines(
        io,
        report(
          result,
          declared.map((r) => r.identifier),
        ),
      );
    });
}
