import type { findingJson } from '../../doctor/finding-json.ts';
import { html } from '../../views/html.ts';
import { consolePage, type Operator } from './console-layout.ts';

/** The doctor's report as the admin API sends it (`GET /admin/v1/doctor`). */
export interface DoctorJson {
  mode: string;
  summary: { errors: number; warnings: number; notes: number };
  findings: Array<ReturnType<typeof findingJson>>;
  skipped: Array<{ id: string; reason: string }>;
}

const SEVERITY: Readonly<Record<string, string>> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
};

/** The doctor's findings: what is wrong or risky in the configuration, and how to fix it. */
export function doctorPage(options: { operator: Operator; report: DoctorJson }): string {
  const { summary, findings, skipped } = options.report;
  return consolePage({
    title: 'Doctor',
    section: 'doctor',
    operator: options.operator,
    body: html`<h1>Doctor</h1>
<p>${summary.errors} ${summary.errors === 1 ? 'error' : 'errors'}, ${summary.warnings} ${summary.warnings === 1 ? 'warning' : 'warnings'}, ${summary.notes} ${summary.notes === 1 ? 'note' : 'notes'}, as <code>portcullis doctor</code> finds them on this server.</p>
${
  findings.length > 0
    ? html`<table>
<thead><tr><th scope="col">Severity</th><th scope="col">About</th><th scope="col">What</th><th scope="col">Fix</th></tr></thead>
<tbody>
${findings.map(
  (finding) =>
    html`<tr><td><span class="badge${finding.severity === 'error' ? ' off' : ''}">${SEVERITY[finding.severity] ?? finding.severity}</span></td><td>${finding.subject.kind} <code>${finding.subject.label ?? finding.subject.id}</code></td><td>${finding.reason}</td><td>${finding.fix}</td></tr>`,
)}
</tbody>
</table>`
    : html`<p class="notice">Nothing to report.</p>`
}
${
  skipped.length > 0
    ? html`<h2>Not checked here</h2><ul>${skipped.map((s) => html`<li><code>${s.id}</code>: ${s.reason}</li>`)}</ul>`
    : html``
}`,
  });
}
