// The CPU time of one password verification (argon2id at the parameters the server uses), so
// the authorization server's CPU per sign-in flow can be split into the hash, which is
// deliberate, and the rest (issue 16, item 2). Measured in this process, where argon2 runs on
// libuv's threads and counts in `process.cpuUsage`.
import { hashPassword, verifyPassword } from '@portcullis/auth-server/services';

/**
 * Milliseconds of CPU per verification, the mean of `runs` after one unmeasured.
 *
 * @example
 * const hashMs = await passwordHashCpuMs(20);
 */
export async function passwordHashCpuMs(runs: number): Promise<number> {
  const stored = await hashPassword('bench-user-password');
  await verifyPassword('bench-user-password', stored);
  const before = process.cpuUsage();
  for (let i = 0; i < runs; i += 1) await verifyPassword('bench-user-password', stored);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / runs;
}
