export { accessibilityProblems, CHROMIUM_ARGS, screenshot, tabTo } from './browser-pages.ts';
export { browserForTests } from './browser-setup/index.ts';
export { type BrowserStack, checkPage, startBrowserStack } from './browser-stack.ts';
export { capturedLog } from './captured-log.ts';
export { cliJson } from './cli.ts';
export { createCodeClient } from './code-client.ts';
export { discoverClient } from './discover-client.ts';
export { formAction, HttpBrowser, inputValue, linkHref, submitForm } from './http-browser.ts';
export { jwksKids, kidOf } from './jwks.ts';
export { type MailStack, startMailStack } from './mail-stack.ts';
export { oauthError, withinOneSecond } from './oauth-checks.ts';
export { type Running, startServe, track } from './serve-process.ts';
export { continueLink, type SignInClaims, shownSeed, startSignIn } from './sign-in-flow.ts';
export {
  linkIn,
  type ReceivedMail,
  type SmtpReceiver,
  startSmtpReceiver,
} from './smtp-receiver.ts';
export { type Stack, startStack } from './stack.ts';
export { msUntilMidStep, totpCode } from './totp.ts';
export { until } from './until.ts';
