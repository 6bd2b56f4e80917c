// One round of the mixed load, all at once: client-credentials token requests and example-API
// requests (autocannon), and refresh-token rotations on grants from scripted sign-ins.
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import * as client from 'openid-client';
import { oneFlow } from '../bench/browser-flows.ts';
import type { Target } from './target.ts';

/** Throughput, latency and failures of one kind of request, over one or more rounds. */
export interface Figures {
  name: string;
  requests: number;
  ok: number;
  /** Failed requests by kind (an HTTP status with its OAuth error, or a socket error). */
  failures: Record<string, number>;
  seconds: number;
  perSecond: number;
  /** Milliseconds. */
  latency: { p50: number; p90: number; p99: number; max: number };
}

/** Counts requests, failures and latencies for one kind of request, across rounds. */
class Recorder {
  readonly name: string;
  readonly #latencies: number[] = [];
  readonly #failures = new Map<string, number>();
  #ok = 0;
  #seconds = 0;

  constructor(name: string) {
    this.name = name;
  }

  /** One answered request: how long it took, and why it failed (undefined: it succeeded). */
  add(milliseconds: number, failure?: string): void {
    this.#latencies.push(milliseconds);
    if (failure === undefined) this.#ok += 1;
    else this.fail(failure);
  }

  /** A failure without a response (socket error, timeout). */
  fail(kind: string, times = 1): void {
    if (times > 0) this.#failures.set(kind, (this.#failures.get(kind) ?? 0) + times);
  }

  /** Wall-clock time this kind of request was being sent. */
  addSeconds(seconds: number): void {
    this.#seconds += seconds;
  }

  get failed(): number {
    return [...this.#failures.values()].reduce((sum, n) => sum + n, 0);
  }

  figures(): Figures {
    const sorted = Float64Array.from(this.#latencies).sort();
    const at = (p: number) =>
      sorted.length === 0
        ? 0
        : (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0);
    const requests = this.#ok + this.failed;
    return {
      name: this.name,
      requests,
      ok: this.#ok,
      failures: Object.fromEntries(this.#failures),
      seconds: this.#seconds,
      perSecond: this.#seconds > 0 ? requests / this.#seconds : 0,
      latency: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? 0 },
    };
  }
}

/** The recorders of a run, one per kind of request. */
export function recorders() {
  return {
    tokens: new Recorder('client-credentials token requests (POST /token)'),
    api: new Recorder('example API (GET /me, GET /notes)'),
    signIns: new Recorder('scripted sign-ins for refresh grants (login, consent, code)'),
    refreshes: new Recorder('refresh-token rotations (POST /token)'),
  };
}

// Runs autocannon for `amount` requests (or until `signal`), recording every response.
async function cannon(
  recorder: Recorder,
  options: autocannon.Options,
  signal: AbortSignal,
): Promise<void> {
  const started = performance.now();
  await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error, result) =>
      error ? reject(error) : resolve(result),
    );
    instance.on('response', (_client, status, _bytes, milliseconds) => {
      recorder.add(milliseconds, status >= 200 && status < 300 ? undefined : `HTTP ${status}`);
    });
    instance.on('reqError', (error: NodeJS.ErrnoException) => {
      recorder.fail(
        error.message === 'request timed out'
          ? 'no response within 10 s'
          : `socket error ${error.code ?? error.message}`,
      );
    });
    signal.addEventListener('abort', () => instance.stop(), { once: true });
    if (signal.aborted) instance.stop();
  });
  recorder.addSeconds((performance.now() - started) / 1000);
}

const form = 'application/x-www-form-urlencoded';

/**
 * Gets a client-credentials access token for the example API (not counted in the figures).
 *
 * @example
 * const token = await apiToken(target);
 */
export async function apiToken(target: Target): Promise<string> {
  const response = await fetch(target.tokenEndpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${target.basic}`, 'content-type': form },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'notes:read' }),
  });
  const body = (await response.json()) as { access_token?: string; error?: string };
  if (!body.access_token) throw new Error(`no access token for the API: ${body.error}`);
  return body.access_token;
}

// Signs in `chains` times (scripted browser, consent with offline_access), then rotates each
// grant's refresh token in turn, `refreshes` rotations in all, until done or `signal`.
async function refreshChains(
  target: Target,
  config: client.Configuration,
  counts: { chains: number; refreshes: number },
  record: ReturnType<typeof recorders>,
  signal: AbortSignal,
): Promise<void> {
  const basic = Buffer.from(
    `${encodeURIComponent(target.appId)}:${encodeURIComponent(target.appSecret)}`,
  ).toString('base64');
  const started = performance.now();
  let signedIn = started;
  let firstGrant: number | undefined;
  await Promise.all(
    Array.from({ length: counts.chains }, async (_, chain) => {
      if (signal.aborted) return;
      const signInStarted = performance.now();
      let refreshToken: string | undefined;
      try {
        const tokens = await oneFlow(config, target.issuer, {
          username: target.username,
          password: target.password,
          redirectUri: target.redirectUri,
          parameters: { scope: 'openid offline_access notes:read', prompt: 'consent' },
        });
        refreshToken = tokens.refresh_token;
        record.signIns.add(
          performance.now() - signInStarted,
          refreshToken ? undefined : 'no refresh token',
        );
        signedIn = performance.now();
        firstGrant ??= signedIn;
      } catch (error) {
        record.signIns.add(
          performance.now() - signInStarted,
          `sign-in: ${(error as Error).message}`,
        );
      }
      const share =
        Math.floor(counts.refreshes / counts.chains) +
        (chain < counts.refreshes % counts.chains ? 1 : 0);
      for (let i = 0; i < share && refreshToken && !signal.aborted; i += 1) {
        const sent = performance.now();
        const response = await fetch(target.tokenEndpoint, {
          method: 'POST',
          headers: { authorization: `Basic ${basic}`, 'content-type': form },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
        }).catch(() => undefined);
        if (!response) {
          record.refreshes.fail('socket error');
          break;
        }
        const body = (await response.json().catch(() => ({}))) as {
          refresh_token?: string;
          error?: string;
        };
        const rotated = response.ok && body.refresh_token && body.refresh_token !== refreshToken;
        record.refreshes.add(
          performance.now() - sent,
          rotated ? undefined : `HTTP ${response.status} ${body.error ?? 'not rotated'}`,
        );
        // A failed rotation ends the chain: its grant may be revoked.
        refreshToken = rotated ? body.refresh_token : undefined;
      }
    }),
  );
  // Sign-ins run from the start until the last grant is in; rotations from the first grant on.
  record.signIns.addSeconds((signedIn - started) / 1000);
  record.refreshes.addSeconds((performance.now() - (firstGrant ?? started)) / 1000);
}

/**
 * Discovers the authorization server for the scripted sign-ins (the app's client secret, PKCE).
 *
 * @example
 * const config = await appConfig(target);
 */
export function appConfig(target: Target): Promise<client.Configuration> {
  return client.discovery(
    new URL(target.issuer),
    target.appId,
    undefined,
    client.ClientSecretBasic(target.appSecret),
    { execute: [client.allowInsecureRequests] },
  );
}

/**
 * One round of the mix, every part at once: `tokenRequests` client-credentials requests
 * (`tokenConcurrency` at a time), `apiRequests` example-API requests with `token`
 * (`apiConcurrency` at a time), and `refreshes` rotations over `refreshChains` new grants.
 * Stops early when `signal` aborts.
 *
 * @example
 * await runMix(target, config, await apiToken(target), options, record, signal);
 */
export async function runMix(
  target: Target,
  config: client.Configuration,
  token: string,
  counts: {
    tokenRequests: number;
    tokenConcurrency: number;
    apiRequests: number;
    apiConcurrency: number;
    refreshes: number;
    refreshChains: number;
  },
  record: ReturnType<typeof recorders>,
  signal: AbortSignal,
): Promise<void> {
  const api = new URL(target.api);
  const bearer = { authorization: `Bearer ${token}` };
  await Promise.all([
    cannon(
      record.tokens,
      {
        url: target.tokenEndpoint,
        method: 'POST',
        headers: { authorization: `Basic ${target.basic}`, 'content-type': form },
        body: 'grant_type=client_credentials&scope=notes%3Aread',
        amount: counts.tokenRequests,
        connections: Math.min(counts.tokenConcurrency, counts.tokenRequests),
      },
      signal,
    ),
    cannon(
      record.api,
      {
        url: api.origin,
        requests: [
          { method: 'GET', path: '/me', headers: bearer },
          { method: 'GET', path: '/notes', headers: bearer },
        ],
        amount: counts.apiRequests,
        connections: Math.min(counts.apiConcurrency, counts.apiRequests),
      },
      signal,
    ),
    refreshChains(
      target,
      config,
      { chains: counts.refreshChains, refreshes: counts.refreshes },
      record,
      signal,
    ),
  ]);
}
