// ava's configuration for `pnpm test:slow` (scripts/test.ts --slow): package.json's, for the
// *.slow.test.ts files only (load, soak-free fault and replica tests), one file at a time so each
// has the machine to itself, and with a longer inactivity timeout than the fast suite's 60 s.
import { readFileSync } from 'node:fs';

const { ava } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

export default {
  ...ava,
  files: ['packages/*/test/**/*.slow.test.ts'],
  concurrency: 1,
  timeout: '10m',
};
