import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { sampleValue, scrape } from './observability-fixtures.ts';

const fixture = fileURLToPath(new URL('./observability-cluster-fixture.ts', import.meta.url));

test('with cluster workers, the primary serves every worker metrics added up', async (t) => {
  const child = spawn(process.execPath, [fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  const { url } = JSON.parse(String(chunk)) as { url: string };
  const { samples } = await scrape(url);
  // One worker counted one token, the other two.
  t.is(
    sampleValue(samples, 'portcullis_tokens_issued_total', {
      grant_type: 'client_credentials',
      client_id: 'svc',
    }),
    3,
  );
  // Both serve the same key: its age is not doubled.
  const age = sampleValue(samples, 'portcullis_signing_key_age_seconds', { kid: 'k1' }) ?? 0;
  t.true(age >= 60 && age < 120, String(age));
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number];
  t.is(code, 0);
});
