import type { DoctorMode, Finding, FindingSubject, Severity } from '@portcullis/auth-server';
import { findDevSecrets } from '@portcullis/auth-server/config';
import { type Command, Option } from 'commander';
import { doctorBackend } from '../backends/select-doctor.ts';
import { CliError } from '../errors.ts';
import { loadAuthServer } from '../lazy.ts';
import { printJson, printLines } from '../output.ts';
import { remoteServer } from '../remote/remote-server.ts';
import { dataDir, type Io } from '../runtime.ts';

interface Options {
  mode: 'production' | 'dev';
  strict?: boolean;
  json?: boolean;
}

// Also the order of the report: errors first.
const HEADINGS: Record<Severity, string> = {
  error: 'Errors',
  warning: 'Warnings',
  info: 'Notes',
};

// ANSI colours for the headings, only on a terminal and never with NO_COLOR set.
const COLOURS: Record<Severity, string> = { error: '31', warning: '33', info: '36' };

/** How a finding's subject reads in the report. */
function describeSubject(subject: FindingSubject): string {
  switch (subject.kind) {
    case 'client':
      return `client ${subject.label ?? ''} (${subject.id})`.replace('  ', ' ');
    case 'client-secret':
      return `secret "${subject.id}" of client ${subject.label ?? ''} (${subject.clientId})`;
    case 'resource':
      return `resource ${subject.id}`;
    case 'registration-token':
      return `initial access token ${subject.id}`;
    case 'identity-provider':
      return `identity provider ${subject.label ?? ''} (${subject.id})`.replace('  ', ' ');
    case 'signing-key':
      return subject.id === '*'
        ? 'signing keys'
        : `${subject.label ?? ''} key ${subject.id}`.trim();
    case 'setting':
      return subject.id;
    case 'schema':
      return 'database schema';
    case 'server':
      return 'authorization server policy';
  }
}

/** `2 errors, 1 warning, 0 notes`. */
export function summaryLine(findings: readonly Finding[]): string {
  const count = (severity: Severity, one: string, many: string) => {
    const n = findings.filter((f) => f.severity === severity).length;
    return `${n} ${n === 1 ? one : many}`;
  };
  return [
    count('error', 'error', 'errors'),
    count('warning', 'warning', 'warnings'),
    count('info', 'note', 'notes'),
  ].join(', ');
}

function report(io: Io, findings: readonly Finding[], mode: DoctorMode): void {
  const tty = (io.stdout as { isTTY?: boolean }).isTTY === true && !io.env.NO_COLOR;
  const heading = (severity: Severity, text: string) =>
    tty ? `\x1b[1;${COLOURS[severity]}m${text}\x1b[0m` : text;
  const lines = [
    `Checked the ${mode === 'production' ? 'production (serve)' : 'development (dev)'} configuration and the database against RFC 9700 and docs/security.md.`,
  ];
  for (const severity of Object.keys(HEADINGS) as Severity[]) {
    const group = findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    lines.push('', heading(severity, `${HEADINGS[severity]} (${group.length})`));
    for (const finding of group) {
      lines.push(
        `  ${finding.id}: ${describeSubject(finding.subject)}`,
        `    ${finding.reason}`,
        `    fix: ${finding.fix ?? 'no command does this; see the reason'}`,
      );
    }
  }
  lines.push('', findings.length === 0 ? 'No findings.' : summaryLine(findings));
  printLines(io, lines);
}

/**
 * `portcullis doctor`: checks a deployment against RFC 9700 and docs/security.md; changes nothing.
 */
export function registerDoctor(program: Command, io: Io): void {
  program
    .command('doctor')
    .description(
      "check the deployment (the server's configuration from the environment, the database) against RFC 9700 and docs/security.md; changes nothing",
    )
    .addOption(
      new Option('--mode <mode>', 'judge the configuration `serve` (production) or `dev` runs with')
        .choices(['production', 'dev'])
        .default('production'),
    )
    .option('--strict', 'exit 1 on warnings too, not only on errors')
    .option('--json', 'machine-readable output: an array of findings')
    .addHelpText(
      'after',
      `
Exit codes: 0 no errors (warnings and notes allowed), 1 errors (or warnings with --strict),
2 usage error. Reads the same environment as \`serve\` (PORTCULLIS_*, DATABASE_URL). With
--server, the running server judges the configuration it runs with (no --mode), and leaves out
the checks that request URLs clients registered (a note names them).
Example:
  $ DATABASE_URL=postgres://... PORTCULLIS_ISSUER=https://auth.example.com portcullis doctor --strict`,
    )
    .action(async (options: Options, command: Command) => {
      const { findingJson } = await loadAuthServer();
      const chosen = command.getOptionValueSource('mode') === 'default' ? undefined : options.mode;
      const remote = remoteServer(io) !== undefined;
      const { findings, mode, skipped } = await (await doctorBackend(io)).run(
        chosen === undefined ? undefined : chosen === 'dev' ? 'development' : 'production',
      );
      if (options.json) printJson(io, findings.map(findingJson));
      else report(io, findings, mode);
      if (skipped.length > 0) {
        io.stderr.write(
          `note: not checked through the admin API: ${skipped.map((c) => c.id).join(', ')} (they request URLs clients registered, from the server); \`portcullis doctor\` where the database is runs them\n`,
        );
      }
      // Run where `dev` ran, production's errors (no secrets set...) are expected: say which
      // mode was judged and how to judge the other, unless production was asked for by name.
      const dir = dataDir(io.env);
      if (!remote && chosen === undefined && findDevSecrets(dir)) {
        io.stderr.write(
          `note: ${dir} holds the development secrets of \`portcullis dev\`, and this checked the production configuration (serve); \`portcullis doctor --mode dev\` checks what dev runs with\n`,
        );
      }

      const errors = findings.filter((f) => f.severity === 'error').length;
      const warnings = findings.filter((f) => f.severity === 'warning').length;
      if (errors > 0) throw new CliError(`doctor found ${summaryLine(findings)}`);
      if (options.strict && warnings > 0) {
        throw new CliError(`doctor found ${summaryLine(findings)} (--strict fails on warnings)`);
      }
    });
}
