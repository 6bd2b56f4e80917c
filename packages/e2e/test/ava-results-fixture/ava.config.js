// ava's configuration for the run that packages/e2e/test/ava-results.test.ts makes through
// `pnpm test`: these fixture files only, which the suite's own glob (*.test.ts) leaves out.
export default {
  files: ['packages/e2e/test/ava-results-fixture/*.fixture.js'],
  timeout: '10s',
};
