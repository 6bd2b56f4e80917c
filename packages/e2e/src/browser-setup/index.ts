export { browserForTests } from './browser-for-tests.ts';
export { BROWSER_VARIABLE } from './find-browser.ts';
export { provideBrowser } from './provide-browser.ts';
export { selectsBrowserTest } from './selects-browser-test.ts';
