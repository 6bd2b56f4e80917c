/**
 * The pages' English messages, the source of every translation (fr.ts, and the JSON files of
 * PORTCULLIS_MESSAGES_DIR). `{name}` is a placeholder the page fills in; a translation must keep
 * each of its message's placeholders and add none. Fixed sentences that routes hand to a view
 * (a message page's title, text and hint; a login error) are found here by their English text
 * (views/i18n.ts, `localize`), so they are translated without a key at the call.
 */
export const EN = {
  'layout.support': 'Help and support',
  'home.title': 'Authorization server',
  'home.intro':
    'This is an OAuth 2.0 and OpenID Connect authorization server: applications send you here to sign in and to ask for your permission.',
  'home.account': 'Your account',
  'home.account_hint': 'the apps you have allowed, and removing their access',
  'home.discovery': 'OpenID Connect discovery',
  'home.discovery_hint': "this server's endpoints, for developers",
  'login.title': 'Sign in',
  'login.continue_to': 'to continue to {client}',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.forgot': 'Forgot your password?',
  'login.failed': 'The username or password is not right.',
  'login.unknown_client': 'the application',
  'providers.heading': 'Or sign in with',
  'providers.button': 'Sign in with {provider}',
  'consent.title': 'Authorize',
  'consent.heading': '{client} wants to access your account',
  'consent.signed_in_as': 'Signed in as {username}.',
  'consent.asks_again': 'It asks you to confirm access again.',
  'consent.asks_more': 'It asks for more access:',
  'consent.asks': 'It asks to:',
  'consent.already': 'You already allowed it to:',
  'consent.allow': 'Allow',
  'scope.openid': 'Sign you in with your account',
  'scope.profile': 'See your name and username',
  'scope.email': 'See your email address',
  'scope.offline_access': 'Keep access while you are not using it (stay signed in)',
  'consent.deny': 'Deny',
  'logout.title': 'Sign out',
  'logout.heading': 'Sign out of {host}?',
  'logout.yes': 'Yes, sign me out',
  'logout.no': 'No, stay signed in',
  'device.title': 'Connect a device',
  'device.enter_code': 'Enter the code shown on your device.',
  'device.code': 'Code',
  'device.continue': 'Continue',
  'device.confirm_title': 'Confirm the device',
  'device.confirm_heading': 'Connect {client}?',
  'device.compare': 'Make sure your device shows this code:',
  'device.cancel': 'Cancel',
  'device.not_you': 'If you did not start this, or the code differs, cancel.',
  'device.bad_code': 'That code is not valid or has expired. Check it and try again.',
  'device.error': 'Something went wrong. Try again.',
  'device.connected_title': 'Device connected',
  'device.connected': 'Your device is now connected.',
  'device.connected_hint': 'You can close this window and return to it.',
  'device.lockout_title': 'Too many codes tried',
  'device.lockout': 'Too many wrong codes were entered, so codes are not accepted for a while.',
  'device.lockout_hint_one':
    "Try again in 1 minute. If your device's code has expired by then, start again on the device.",
  'device.lockout_hint':
    "Try again in {minutes} minutes. If your device's code has expired by then, start again on the device.",
  'error.title': 'Something is wrong with this request',
  'error.hint':
    'Error code: {code}. Go back to the application and try again; if it keeps happening, tell its developers.',
  'error.invalid_request': 'The application sent a request this server cannot accept.',
  'error.invalid_client': 'The application is not known here.',
  'error.invalid_redirect_uri':
    'The application asked to return to an address it did not register.',
  'error.invalid_request_uri': 'This sign-in link has expired or was already used.',
  'error.unauthorized_client': 'The application is not allowed to do this.',
  'error.access_denied': 'Access was denied.',
  'error.invalid_scope': 'The application asked for permissions it may not have.',
  'error.invalid_target': 'The application asked for an API it may not use.',
  'error.server_error': 'Something went wrong on our side. Try again later.',
  'error.temporarily_unavailable': 'The service is busy or down for a moment. Try again shortly.',
  'error.other': 'This request cannot be completed.',
  'signed_out.title': 'Signed out',
  'signed_out.message': 'You are signed out.',
  'signed_out.hint': 'You can close this window.',
  'refused.title': 'Request refused',
  'refused.form': 'The form could not be verified.',
  'refused.reload': 'Reload the page and try again.',
  'refused.choose': 'Choose Allow or Deny.',
  'unavailable.title': 'Temporarily unavailable',
  'unavailable.message': 'The service is busy or down for a moment.',
  'unavailable.hint': 'Try again in a few seconds.',
  'step.title': 'Unexpected step',
  'step.message': 'This sign-in cannot continue.',
  'step.hint': 'Start again from the application.',
  'expired.title': 'This sign-in has expired',
  'expired.message': 'This page no longer belongs to a sign-in in progress.',
  'expired.hint': 'Go back to the application and start again.',
  'idp.gone_title': 'This sign-in option is gone',
  'idp.gone': 'The identity provider was removed.',
  'idp.gone_hint': 'Go back to the application and sign in another way.',
  'idp.unreachable_title': 'The sign-in service cannot be reached',
  'idp.unreachable_hint':
    'Try again in a moment, or go back and sign in with a username and password.',
  'idp.unverified_title': 'The sign-in could not be verified',
  'idp.disabled_title': 'This account cannot sign in',
  'idp.no_account_title': 'No account to sign in to',
  'idp.no_account_hint':
    'Ask an administrator for an account, or sign in with a username and password.',
} as const;

/** A message of the pages, by its key. */
export type MessageKey = keyof typeof EN;

/** One language's messages: English has them all; another may have some (English fills in). */
export type Messages = Readonly<Partial<Record<MessageKey, string>>>;
