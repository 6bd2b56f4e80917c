/** Where the login pages' "Forgot your password?" leads: the reset request form. */
export const FORGOT_PASSWORD_PATH = '/account/password/forgot';
/** A mailed reset link: this, then the link's secret. */
export const RESET_PATH = '/account/password/reset/';
/** /account's password change form. */
export const CHANGE_PASSWORD_PATH = '/account/password';
/** /account's "Send a verification link" posts here; a mailed link is this, `/`, its secret. */
export const SEND_VERIFICATION_PATH = '/account/email/verify';
/** Open sign-up's address form (PORTCULLIS_SIGNUP=open): the login pages' "Create an account". */
export const SIGNUP_PATH = '/account/signup';
/** A mailed invitation or sign-up link: this, then the link's secret. */
export const SIGNUP_COMPLETE_PATH = '/account/signup/complete/';
