// The Express side of `pnpm bench`: a bare Express hello (the Express ceiling), the Express
// adapter of @portcullis/resource-server (token cache on and off) and express-oauth2-jwt-bearer
// 1.10.0 (strict), each in a process of its own, all given the same token of the same Portcullis
// and measured by the same load generator, one after the other and in alternating rounds.
import type { ChildProcess } from 'node:child_process';
import { startChild, stopChild } from './children.ts';
import type { Contender, PairedFigures } from './paired-rounds.ts';

/** What run.ts measures with. */
export interface ExpressComparisonContext<F extends { name: string; rps: number }> {
  readonly env: NodeJS.ProcessEnv;
  readonly issuer: string;
  readonly audience: string;
  readonly accessToken: string;
  /** One measured run of `url` with the token; `pid` is the server's. */
  measure(name: string, url: string, pid: number | undefined): Promise<F>;
  /** Alternating rounds of `b` against `a`; undefined when rounds are off. */
  pair(a: Contender, b: Contender): Promise<PairedFigures | undefined>;
}

/** The Express figures: the runs, the alternating rounds, and the summary lines. */
export interface ExpressComparison<F> {
  readonly results: F[];
  readonly paired: (PairedFigures & { name: string })[];
  readonly summary: string[];
}

const verifiers = [
  ['portcullis', 'on', 'Express + @portcullis/resource-server/express (token cache on)'],
  ['portcullis', 'off', 'Express + @portcullis/resource-server/express (token cache off)'],
  ['auth0', 'on', 'Express + express-oauth2-jwt-bearer 1.10.0 (strict)'],
] as const;

const percent = (value: number) => `${(value * 100).toFixed(1)} %`;

/**
 * Starts the Express servers one at a time beside a running Portcullis and measures them.
 *
 * @example
 * const express = await compareExpress({ env, issuer, audience, accessToken, measure, pair });
 */
export async function compareExpress<F extends { name: string; rps: number }>(
  context: ExpressComparisonContext<F>,
): Promise<ExpressComparison<F>> {
  const { env, issuer, audience, accessToken, measure, pair } = context;
  const headers = { authorization: `Bearer ${accessToken}` };
  const results: F[] = [];
  const paired: (PairedFigures & { name: string })[] = [];
  const hello = await startChild('express-hello-server.ts', env);
  const helloContender = { request: { url: `${hello.info.url}me`, headers }, pid: hello.child.pid };
  const rps = new Map<string, number>();
  // express-oauth2-jwt-bearer's server stays up while ours are measured, to pair each with it.
  let auth0Child: ChildProcess | undefined;
  try {
    const ceiling = await measure(
      'bare Express hello, same request (Express ceiling)',
      helloContender.request.url,
      hello.child.pid,
    );
    results.push(ceiling);
    rps.set('hello', ceiling.rps);
    let auth0: Contender | undefined;
    // express-oauth2-jwt-bearer last, so that each of ours can be paired with it too.
    for (const [verifier, cache, name] of [verifiers[2], verifiers[0], verifiers[1]]) {
      const api = await startChild('express-api-server.ts', {
        ...env,
        BENCH_ISSUER: issuer,
        BENCH_AUDIENCE: audience,
        BENCH_VERIFIER: verifier,
        BENCH_CACHE: cache,
      });
      if (verifier === 'auth0') auth0Child = api.child;
      try {
        const url = `${api.info.url}/me`;
        const figures = await measure(name, url, api.child.pid);
        results.push(figures);
        rps.set(name, figures.rps);
        const contender = { request: { url, headers }, pid: api.child.pid };
        const againstHello = await pair(helloContender, contender);
        if (againstHello)
          paired.push({ name: `${name} vs the bare Express hello`, ...againstHello });
        if (verifier === 'auth0') auth0 = contender;
        else if (auth0 !== undefined) {
          const againstAuth0 = await pair(auth0, contender);
          if (againstAuth0) {
            paired.push({ name: `${name} vs express-oauth2-jwt-bearer`, ...againstAuth0 });
          }
        }
      } finally {
        if (verifier !== 'auth0') await stopChild(api.child);
      }
    }
  } finally {
    if (auth0Child) await stopChild(auth0Child);
    await stopChild(hello.child);
  }
  const helloRps = rps.get('hello') ?? Number.NaN;
  const theirs = rps.get(verifiers[2][2]) ?? Number.NaN;
  const summary = [verifiers[0][2], verifiers[1][2], verifiers[2][2]].map((name) => {
    const ours = rps.get(name) ?? Number.NaN;
    const versus =
      name === verifiers[2][2] ? '' : `, ${(ours / theirs).toFixed(2)}× express-oauth2-jwt-bearer`;
    return `${name}, one after the other: ${percent(ours / helloRps)} of the bare Express hello${versus}`;
  });
  return { results, paired, summary };
}
