import { Writable } from 'node:stream';
import { freePort, type TestDatabase } from '@portcullis/storage/testing';
import {
  type AuthServer,
  createAuthServer,
  createJsonLogger,
  type ServerConfig,
} from '../src/index.ts';
import { testConfig } from './helpers.ts';

/** One JSON log line as written. */
// biome-ignore lint/suspicious/noExplicitAny: tests read log fields one by one
export type LogLine = Record<string, any>;

/** A JSON logger whose output is kept: the raw text and each line parsed. */
export function captureLogs() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return {
    logger: createJsonLogger(stream),
    /** Everything written, as one string. */
    text: () => text,
    /** Every line, parsed (each must be JSON). */
    lines: (): LogLine[] =>
      text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as LogLine),
  };
}

/** A server on the test's database whose logs are captured; the issuer is its own URL. */
export async function startObservedServer(
  database: TestDatabase,
  env: Record<string, string> = {},
): Promise<{
  server: AuthServer;
  url: string;
  config: ServerConfig;
  logs: ReturnType<typeof captureLogs>;
}> {
  const port = await freePort();
  const logs = captureLogs();
  const config = testConfig({
    PORTCULLIS_PORT: String(port),
    PORTCULLIS_ISSUER: `http://127.0.0.1:${port}`,
    ...env,
  });
  const server = await createAuthServer({
    db: database.db,
    databaseUrl: database.url,
    config,
    logger: logs.logger,
  });
  const { url } = await server.listen();
  return { server, url, config, logs };
}

/** One sample of a Prometheus text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the samples of a Prometheus text exposition (comments skipped). */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] as string] = pair[2] as string;
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the sample `name` whose labels include `labels`; undefined when none has. */
export function sampleValue(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return samples.find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )?.value;
}

/** Scrapes a metrics URL; fails on anything but a 200. */
export async function scrape(url: string): Promise<{ text: string; samples: Sample[] }> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`scrape: ${response.status}`);
  const text = await response.text();
  return { text, samples: parseSamples(text) };
}
