import {
  capturedLog,
  createCodeClient,
  HttpBrowser,
  type MailStack,
  startMailStack,
  startSignIn,
  submitForm,
} from '../src/index.ts';

/** The password every sign-up test chooses. */
export const PASSWORD = 'a-password-of-my-own';

/**
 * A stack with self-registration in `mode` (and more settings in `env`), a real SMTP server, a
 * first-party app at `redirect`, the server's log, and `signInToApp`: a user signs in through the
 * app's login page with openid-client, giving the ID token's `sub` (undefined when refused).
 *
 * @example
 * const fixture = await startSignupStack('invite', 'http://127.0.0.1:8769/callback');
 */
export async function startSignupStack(
  mode: 'invite' | 'open',
  redirect: string,
  env: Record<string, string> = {},
) {
  const log = capturedLog();
  const mailStack: MailStack = await startMailStack(
    { PORTCULLIS_SIGNUP: mode, ...env },
    { logger: log.logger },
  );
  const { stack } = mailStack;
  const app = await createCodeClient(stack, 'Sign-up Test App', redirect, 'openid', [
    '--first-party',
  ]);
  /** The app's login page in a new browser: the browser and the flow. */
  const openLogin = async () => {
    const browser = new HttpBrowser(stack.issuer);
    return { browser, ...(await startSignIn(browser, stack.issuer, app, redirect)) };
  };
  const signInToApp = async (username: string, password: string) => {
    const { browser, first, redeem } = await openLogin();
    const { next } = await submitForm(browser, first, { username, password });
    return next.left ? (await redeem(next)).sub : undefined;
  };
  return { ...mailStack, log, app, openLogin, signInToApp };
}

/** What {@link startSignupStack} gives. */
export type SignupStack = Awaited<ReturnType<typeof startSignupStack>>;
