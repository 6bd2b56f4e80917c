import type { MigrationStatus } from '@portcullis/storage';
import type { Finding } from './finding.ts';

/**
 * Judges the schema: pending migrations are an error (servers refuse to start on an old schema),
 * and the database checks that needed the current schema are said to be skipped. Pure.
 *
 * @example
 * checkSchema(await migrationStatus(db));
 */
export function checkSchema(migrations: MigrationStatus): Finding[] {
  if (migrations.pending.length === 0) return [];
  return [
    {
      id: 'migrations-pending',
      severity: 'error',
      subject: { kind: 'schema', id: 'migrations' },
      reason: `The database has ${migrations.pending.length} pending migration(s) (${migrations.pending.join(', ')}), so servers refuse to start on it.`,
      fix: 'portcullis db migrate',
    },
    {
      id: 'database-checks-skipped',
      severity: 'info',
      subject: { kind: 'schema', id: 'migrations' },
      reason:
        'Clients, secrets, resources and signing keys were not checked: their tables may not match this version until the schema is migrated.',
      fix: 'portcullis db migrate',
    },
  ];
}
