import type { Command } from 'commander';
import { resourcesBackend } from '../backends/select-resources.ts';
import { describeResource, resourceDetailJson } from '../format/resources.ts';
import { printJson, printLines } from '../output.ts';
import type { Io } from '../runtime.ts';

/** `portcullis resources show URI`: one resource and the clients allowed it. */
export function registerResourcesShow(resources: Command, io: Io): void {
  resources
    .command('show')
    .description('show one API resource, its scopes and the clients allowed it')
    .argument('<identifier>', "the resource's identifier")
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  $ portcullis resources show https://api.example.com')
    .action(async (identifier: string, options: { json?: boolean }) => {
      const { resource, clients } = await (await resourcesBackend(io)).show(identifier);
      if (options.json) {
        return printJson(io, {
          ...resourceDetailJson(resource),
          clients: clients.map((c) => ({ client_id: c.id, name: c.name })),
          created_at: resource.createdAt.toISOString(),
        });
      }
      printLines(io, [
        `${resource.name} (${resource.identifier})`,
        ...describeResource(resource),
        `  clients allowed it: ${clients.map((c) => `${c.name} (${c.id})`).join(', ') || '-'}`,
        `  created: ${resource.createdAt.toISOString()}`,
      ]);
    });
}
