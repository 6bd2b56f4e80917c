/** Why the test runner has no browser for the browser test; callers switch on it. */
export type BrowserSetupErrorCode =
  /** PORTCULLIS_BROWSER names something that is not an executable file. */
  | 'browser_variable_invalid'
  /** None found, and this machine is not one we install a browser on: the message says how. */
  | 'browser_missing'
  /** The apt-get install of Debian's chromium failed, or left no chromium behind. */
  | 'browser_install_failed'
  /** The browser found does not run (`--version` fails). */
  | 'browser_broken';

/** A browser problem to report as one line on stderr, with a non-zero exit. */
export class BrowserSetupError extends Error {
  readonly code: BrowserSetupErrorCode;

  constructor(code: BrowserSetupErrorCode, message: string) {
    super(message);
    this.name = 'BrowserSetupError';
    this.code = code;
  }
}
