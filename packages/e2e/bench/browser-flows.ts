import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import * as client from 'openid-client';
import { HttpBrowser, submitForm } from '../src/index.ts';

/**
 * One complete third-party sign-in: authorize, login form, consent form, code exchange; returns
 * the token response. `options` changes the user or adds authorization parameters (like
 * `scope` with offline_access and `prompt: 'consent'` for a refresh token).
 *
 * @example
 * const tokens = await oneFlow(config, issuer, { parameters: { prompt: 'consent' } });
 */
export async function oneFlow(
  config: client.Configuration,
  issuer: string,
  options: {
    username?: string;
    password?: string;
    redirectUri?: string;
    parameters?: Record<string, string>;
  } = {},
): Promise<client.TokenEndpointResponse> {
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: options.redirectUri ?? 'http://127.0.0.1:9/callback',
    scope: 'openid notes:read',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...options.parameters,
  });
  const browser = new HttpBrowser(issuer);
  let step = await browser.follow(url.href);
  for (let i = 0; i < 3 && !step.left; i += 1) {
    const isLogin = (await step.response.clone().text()).includes('name="password"');
    const fields: Record<string, string> = isLogin
      ? {
          username: options.username ?? 'bench-user',
          password: options.password ?? 'bench-user-password',
        }
      : { decision: 'approve' };
    step = (await submitForm(browser, step, fields)).next;
  }
  if (!step.left)
    throw new Error(`the flow did not return to the client (${step.response.status})`);
  return client.authorizationCodeGrant(config, new URL(step.left), { pkceCodeVerifier: verifier });
}

/**
 * Runs complete flows with `concurrency` browsers for `seconds` (after a warm-up) and reports
 * flows per second and the latency of a whole flow.
 */
/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of /proc/pid/stat, in clock ticks (100 per second).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export async function measureBrowserFlows(options: {
  /** The authorization server's process, whose CPU time per flow is reported. */
  serverPid: number;
  issuer: string;
  clientId: string;
  clientSecret: string;
  concurrency: number;
  seconds: number;
  warmupSeconds: number;
}) {
  const config = await client.discovery(
    new URL(options.issuer),
    options.clientId,
    undefined,
    client.ClientSecretBasic(options.clientSecret),
    { execute: [client.allowInsecureRequests] },
  );
  const run = async (seconds: number) => {
    const durations: number[] = [];
    let failures = 0;
    const end = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (performance.now() < end) {
          const started = performance.now();
          try {
            await oneFlow(config, options.issuer);
            durations.push(performance.now() - started);
          } catch {
            failures += 1;
          }
        }
      }),
    );
    return { durations: durations.sort((a, b) => a - b), failures };
  };
  await run(options.warmupSeconds);
  const cpuBefore = await cpuSeconds(options.serverPid);
  const { durations, failures } = await run(options.seconds);
  const serverCpu = (await cpuSeconds(options.serverPid)) - cpuBefore;
  const pct = (p: number) =>
    Math.round(durations[Math.min(durations.length - 1, Math.floor(durations.length * p))] ?? 0);
  return {
    rps: durations.length / options.seconds,
    p50: pct(0.5),
    p99: pct(0.99),
    requests: durations.length + failures,
    failures,
    /** Flows per second of the server's own CPU time (PostgreSQL and the load generator excluded). */
    perServerCpuSecond: serverCpu > 0 ? durations.length / serverCpu : 0,
  };
}
