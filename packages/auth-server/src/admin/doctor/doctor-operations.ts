import type { ServerConfig } from '../../config/server-config.ts';
import type { ServerEnvironment } from '../../config/server-environment.ts';
import type { ServerPolicyFacts } from '../../doctor/facts.ts';
import { findingJson } from '../../doctor/finding-json.ts';
import { probeServerPolicy } from '../../doctor/probe-server-policy.ts';
import { runDoctor } from '../../doctor/run-doctor.ts';
import type { AdminOperation } from '../admin-operation.ts';

/** What the doctor's operation needs besides the call. */
export interface DoctorOperationsDeps {
  /** The configuration `serve` or `dev` runs with: its mode is the one judged. */
  mode: ServerConfig['mode'];
  /** Where that configuration came from: judged as `portcullis doctor` judges its own. */
  environment: ServerEnvironment;
}

/**
 * The policy probe once per process: it judges this build's provider configuration, which no
 * setting changes, and costs a provider and a key of each algorithm. A failure is not kept.
 */
function probeOnce(): () => Promise<ServerPolicyFacts> {
  let policy: Promise<ServerPolicyFacts> | undefined;
  return () => {
    policy ??= probeServerPolicy().catch((error: unknown) => {
      policy = undefined;
      throw error;
    });
    return policy;
  };
}

const countOf = (findings: ReadonlyArray<{ severity: string }>, severity: string) =>
  findings.filter((f) => f.severity === severity).length;

/**
 * The doctor's findings over HTTP: the call `portcullis doctor` makes (runDoctor), on the
 * running server's own configuration and database, without reaching any URL a client
 * registered (a server-side request forgery lever over HTTP): `skipped` names those checks.
 * Findings carry no secret (they name settings, never their values).
 *
 * @example
 * const operations = doctorOperations({ mode: 'production', environment: { env, dataDir } });
 */
export function doctorOperations(deps: DoctorOperationsDeps): AdminOperation[] {
  const probe = probeOnce();
  return [
    {
      operationId: 'getDoctorReport',
      method: 'GET',
      path: '/doctor',
      scope: 'admin:read',
      async run(call) {
        const report = await runDoctor({
          db: call.db,
          env: deps.environment.env,
          dataDir: deps.environment.dataDir,
          mode: deps.mode,
          probe,
          reachClients: false,
        });
        return {
          status: 200,
          body: {
            mode: report.mode,
            summary: {
              errors: countOf(report.findings, 'error'),
              warnings: countOf(report.findings, 'warning'),
              notes: countOf(report.findings, 'info'),
            },
            findings: report.findings.map(findingJson),
            skipped: report.skipped,
          },
        };
      },
    },
  ];
}
