import type { LogoutNotice, LogoutNoticesRepository } from '@portcullis/storage';
import type Provider from 'oidc-provider';
import type { Logger } from '../observability/logger.ts';

// oidc-provider's Client model sends the logout token itself; its typings leave the method out.
interface LogoutClient {
  backchannelLogoutUri?: string;
  backchannelLogoutSessionRequired?: boolean;
  backchannelLogout(sub: string, sid: string | undefined): Promise<void>;
}

const BATCH = 100;
/** A notice older than this is dropped unsent: the app has long seen the user gone. */
const MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * Sends the logout tokens of logout notices (storage's logout-notices repository): sessions a
 * password reset or change, `users disable|delete` or `users mfa reset` ended in SQL, from this
 * server or from the CLI. `drain` takes every waiting notice (each goes to one server of many)
 * and posts each client its logout token through oidc-provider's own Client model, so the token
 * is the one RP-initiated logout sends (signed with the current key, `sid` included); the
 * deliveries run side by side, each bounded by oidc-provider's timeout, and are reported through
 * its `backchannel.success` and `backchannel.error` events (counted, a failure logged: see
 * provider/backchannel-logout.ts). Drains never overlap; one asked for during another runs after
 * it, so a notice written meanwhile is not left waiting.
 *
 * @example
 * const notices = logoutNotices(provider, createLogoutNoticesRepository(db), logger);
 * listenForChanges(url, { onChange: (c) => c.kind === 'logout' && notices.drain() });
 */
export function logoutNotices(
  provider: Provider,
  repository: LogoutNoticesRepository,
  logger: Logger,
) {
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const send = async (notice: LogoutNotice) => {
    if (Date.now() - notice.createdAt.getTime() > MAX_AGE_MS) return;
    const client = (await provider.Client.find(notice.clientId)) as LogoutClient | undefined;
    if (!client?.backchannelLogoutUri) return;
    const sid = notice.sid ?? undefined;
    if (client.backchannelLogoutSessionRequired && !sid) return;
    // oidc-provider's listeners take the request's context first; there is no request here.
    const emit = (event: string, ...args: unknown[]) =>
      (provider as unknown as NodeJS.EventEmitter).emit(event, undefined, ...args);
    await client.backchannelLogout(notice.accountId, sid).then(
      () => emit('backchannel.success', client, notice.accountId, sid),
      (error: unknown) => emit('backchannel.error', error, client, notice.accountId, sid),
    );
  };

  const drainAll = async () => {
    for (;;) {
      const batch = await repository.take(BATCH);
      await Promise.all(batch.map(send));
      if (batch.length < BATCH) return;
    }
  };

  const run = async (): Promise<void> => {
    do {
      again = false;
      try {
        await drainAll();
      } catch (error) {
        // A drain cut by the server's close (its database torn down) is not a failure to report:
        // the notices it did not take stay for the next server.
        if (closed) return;
        logger.warn('could not send logout notices', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    } while (again && !closed);
  };

  return {
    /** Sends every waiting notice; resolves when done. Never rejects (a failure is logged). */
    drain(): Promise<void> {
      if (closed) return Promise.resolve();
      if (running) {
        again = true;
        return running;
      }
      running = run().finally(() => {
        running = undefined;
      });
      return running;
    },
    /** Starts no more drains; resolves once the one running (if any) has ended. */
    close(): Promise<void> {
      closed = true;
      return running ?? Promise.resolve();
    },
  };
}
