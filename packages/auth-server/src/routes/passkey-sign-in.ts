import type { SignInLimits } from '../limits/sign-in-limits.ts';
import type { AuditTrail, SignInVia } from '../services/audit.ts';
import type { PasskeyRefusal, PasskeyService, PasskeyUse } from '../services/passkey-service.ts';
import type { PublicUser } from '../services/users-service.ts';

/** The `amr` (RFC 8176) a passkey adds: proof of possession of its key, and the user's presence. */
export const PASSKEY_METHODS = ['pop', 'user'] as const;

/** The one message for every passkey refused at sign-in: unknown, stale, wrong user, counter. */
export const PASSKEY_FAILED = 'passkey.failed';

/** The challenge binding of an interaction's passkey buttons. */
export const interactionBinding = (uid: string) => `interaction:${uid}`;

/** The challenge binding of /account's passkey buttons, from the browser's CSRF binding. */
export const accountBinding = (binding: string) => `account:${binding}`;

/**
 * Checks a passkey a browser posted at sign-in, counted by the sign-in limits like a password:
 * under the passkey's owner (an unknown passkey under no account) and the address, before it is
 * checked; a locked attempt reads as a refused passkey. As a second factor (`userId`: the user
 * who gave the password) the passkey must be theirs; passwordless, whoever it names, verified.
 * A refusal is audited `signin.failed` with `step: passkey` and the reason. Returns the user
 * signed in, or undefined.
 */
export async function checkPasskey(
  deps: {
    passkeys: PasskeyService;
    signIns: SignInLimits;
    audit: AuditTrail;
    users: { findById(id: string): Promise<PublicUser | undefined> };
  },
  attempt: {
    binding: string;
    posted: string;
    address: string;
    via: SignInVia;
    clientId?: string;
    /** The second factor of this user; unset: passwordless. */
    userId?: string;
  },
): Promise<PublicUser | undefined> {
  const purpose = attempt.userId ? 'second_factor' : 'passwordless';
  const ownerId = attempt.userId ?? (await deps.passkeys.ownerOf(attempt.posted));
  const owner = ownerId ? await deps.users.findById(ownerId) : undefined;
  const limited = await deps.signIns.begin({
    username: owner?.username ?? '',
    address: attempt.address,
    via: attempt.via,
    ...(attempt.clientId ? { clientId: attempt.clientId } : {}),
  });
  const outcome: PasskeyUse | PasskeyRefusal | { refused: 'locked' } = limited.locked
    ? { refused: 'locked' }
    : await deps.passkeys.authenticate(attempt.binding, purpose, attempt.posted, {
        address: attempt.address,
      });
  const user =
    'passkeyId' in outcome && owner && !owner.disabledAt && outcome.userId === owner.id
      ? owner
      : undefined;
  if (user) {
    await limited.succeeded();
    return user;
  }
  await deps.audit.record({
    type: 'signin.failed',
    actor: 'anonymous',
    clientId: attempt.clientId ?? null,
    subject: owner?.id ?? null,
    address: attempt.address,
    details: {
      via: attempt.via,
      step: 'passkey',
      purpose,
      reason: 'refused' in outcome ? outcome.refused : 'disabled',
      ...(owner ? { username: owner.username } : { unknown_user: true }),
    },
  });
  return undefined;
}
