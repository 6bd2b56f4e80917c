import type { DoctorMode } from './facts.ts';
import type { Finding } from './finding.ts';
import { type LoadDoctorFactsOptions, loadDoctorFacts } from './load-doctor-facts.ts';
import { runChecks } from './run-checks.ts';

/** A check that did not run, and why: the findings say nothing about what it looks at. */
export interface SkippedCheck {
  /** The id of the findings the check would have made (`backchannel-logout-unreachable`). */
  id: string;
  reason: string;
}

/** What `portcullis doctor` (and `GET /admin/v1/doctor`) report. */
export interface DoctorReport {
  mode: DoctorMode;
  /** Errors first (see compareFindings). */
  findings: Finding[];
  /** Checks left out by `reachClients: false`; empty when every check ran. */
  skipped: SkippedCheck[];
}

const CLIENT_URLS_SKIPPED =
  'it requests a URL a client registered, from the server: over the admin API that would let a caller reach the server’s network through a registration; `portcullis doctor` on the command line runs it';

/** The checks left out when client URLs are not reached. */
const CLIENT_URL_CHECKS: readonly SkippedCheck[] = [
  { id: 'backchannel-logout-unreachable', reason: CLIENT_URLS_SKIPPED },
  { id: 'client-jwks-uri-unreachable', reason: CLIENT_URLS_SKIPPED },
];

/**
 * The doctor: loads the facts (loadDoctorFacts) and judges them (runChecks). One call for both
 * front ends, the CLI's `doctor` and the admin API's `GET /admin/v1/doctor`; with `reachClients:
 * false` nothing is requested from a client-registered URL, and `skipped` says which checks
 * that leaves out.
 *
 * @example
 * const { findings } = await runDoctor({ db, env: process.env, mode: 'production', dataDir });
 */
export async function runDoctor(options: LoadDoctorFactsOptions): Promise<DoctorReport> {
  const facts = await loadDoctorFacts(options);
  return {
    mode: options.mode,
    findings: runChecks(facts),
    skipped: options.reachClients === false ? [...CLIENT_URL_CHECKS] : [],
  };
}
