// The authorization server's CPU per sign-in flow, alone or as an A/B of two checkouts in
// alternating rounds (issue 16, item 2). Each checkout's own stack-server.ts runs in a process of
// its own on a fresh database; the flows (authorize, login, consent when asked, code exchange)
// are driven from here, and the server's CPU is read from /proc around each round.
//
//   node packages/e2e/bench/sign-in-cpu.ts
//   SIGN_IN_CPU_ROOTS=../main,. node packages/e2e/bench/sign-in-cpu.ts   # A/B, alternating
//
// SIGN_IN_CPU_ROUNDS (5), SIGN_IN_CPU_SECONDS (5), SIGN_IN_CPU_CONCURRENCY (4). The figure
// includes the password hash (one argon2id verification per flow; hash-cost.ts measures it alone).
import { openSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveDatabase } from '@portcullis/storage';
import { measureBrowserFlows } from './browser-flows.ts';
import { startChild, stopChild } from './children.ts';
import { passwordHashCpuMs } from './hash-cost.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const roots = (process.env.SIGN_IN_CPU_ROOTS ?? path.resolve(here, '../../..'))
  .split(',')
  .map((root) => path.resolve(root));
const rounds = Number(process.env.SIGN_IN_CPU_ROUNDS ?? 5);
const seconds = Number(process.env.SIGN_IN_CPU_SECONDS ?? 5);
const concurrency = Number(process.env.SIGN_IN_CPU_CONCURRENCY ?? 4);

const database = await resolveDatabase({
  databaseUrl: process.env.DATABASE_URL,
  dataDir: path.resolve(process.env.PORTCULLIS_DATA_DIR ?? '.portcullis', 'bench'),
});
const env = { ...process.env, DATABASE_URL: database.url };
const log = openSync('/dev/null', 'w');
const servers: Array<{ root: string; cpuMs: number[] } & Awaited<ReturnType<typeof startChild>>> =
  [];
try {
  for (const root of roots) {
    const script = path.relative(here, path.join(root, 'packages/e2e/bench/stack-server.ts'));
    servers.push({
      root,
      ...(await startChild(script, env, { stderr: log })),
      cpuMs: [] as number[],
    });
  }
  for (let round = 0; round <= rounds; round += 1) {
    for (const server of servers) {
      const flows = await measureBrowserFlows({
        serverPid: server.child.pid as number,
        issuer: server.info.issuer as string,
        clientId: server.info.appId as string,
        clientSecret: server.info.appSecret as string,
        concurrency,
        seconds,
        warmupSeconds: 1,
      });
      if (flows.failures > 0) throw new Error(`${server.root}: ${flows.failures} flows failed`);
      const cpuMs = 1000 / flows.perServerCpuSecond;
      // Round 0 warms both servers up and is not counted.
      if (round > 0) server.cpuMs.push(cpuMs);
      console.log(
        `round ${round} ${path.basename(server.root)}: ${cpuMs.toFixed(1)} ms CPU/flow, ${flows.rps.toFixed(1)} flows/s`,
      );
    }
  }
} finally {
  for (const server of servers) await stopChild(server.child);
  await database.stop();
}
const hashMs = await passwordHashCpuMs(20);
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
console.log(`password hash alone: ${hashMs.toFixed(1)} ms CPU`);
for (const server of servers) {
  const cpuMs = median(server.cpuMs);
  console.log(
    `${server.root}: median ${cpuMs.toFixed(1)} ms CPU/flow, ${(cpuMs - hashMs).toFixed(1)} ms beyond the hash`,
  );
}
if (servers.length === 2) {
  const ratios = servers[0]?.cpuMs.map((a, i) => (servers[1]?.cpuMs[i] ?? 0) / a) ?? [];
  console.log(
    `CPU per flow, second over first, per round: ${ratios.map((r) => r.toFixed(3)).join(' ')}; median ${median(ratios).toFixed(3)}`,
  );
}
