import type { Finding } from './finding.ts';

/**
 * A finding in its JSON shape, the one `portcullis doctor --json` prints and the admin API's
 * `GET /admin/v1/doctor` answers: snake_case keys, absent subject members left out.
 *
 * @example
 * findings.map(findingJson); // [{ id: 'issuer-not-https', severity: 'error', subject: {...}, reason, fix }]
 */
export function findingJson(finding: Finding) {
  const { kind, id, clientId, label } = finding.subject;
  return {
    id: finding.id,
    severity: finding.severity,
    subject: {
      kind,
      id,
      ...(clientId !== undefined ? { client_id: clientId } : {}),
      ...(label !== undefined ? { label } : {}),
    },
    reason: finding.reason,
    fix: finding.fix,
  };
}
