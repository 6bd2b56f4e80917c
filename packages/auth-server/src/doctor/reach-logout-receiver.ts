import { deliveryFailure } from '../provider/backchannel-logout.ts';

/**
 * Whether a back-channel logout URI answers at all: a POST of an empty form, as the server's
 * deliveries are POSTs of a form. Any HTTP answer counts (a receiver answers 400 to a form
 * without a logout token); a refused connection, an unknown host or no answer within 2.5 s (the
 * server's own limit on a delivery) is why it does not. Returns undefined when it answered.
 *
 * @example
 * await reachLogoutReceiver('https://app.example.com/logout'); // undefined, or 'fetch failed: ECONNREFUSED'
 */
export async function reachLogoutReceiver(uri: string): Promise<string | undefined> {
  try {
    await fetch(uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
      redirect: 'manual',
      signal: AbortSignal.timeout(2500),
    });
    return undefined;
  } catch (error) {
    return deliveryFailure(error);
  }
}
