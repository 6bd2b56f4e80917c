import { parseDuration } from '../../domain/duration.ts';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../../domain/signing-algorithms.ts';
import { createKeysService } from '../../keys/keys-service.ts';
import { DEFAULT_PROPAGATION_SECONDS } from '../../keys/rotation-policy.ts';
import { keyJson } from '../../views/key-json.ts';
import type { AdminOperation } from '../admin-operation.ts';
import { AdminProblem } from '../problem.ts';

/** What the keys' operations need besides the call. */
export interface KeyOperationsDeps {
  /** The servers' key-encryption key: new keys are stored encrypted under it. */
  keyEncryptionKey: Buffer;
}

const MAX_PROPAGATION_SECONDS = 30 * 86_400;

const invalid = (pointer: string, detail: string) =>
  new AdminProblem('invalid-input', detail, [{ pointer, detail }]);

interface RotationBody {
  algorithms?: string[];
  propagation?: string | number;
  now?: boolean;
  revoke_old?: boolean;
}

// The body's rules, as `keys rotate` checks its options.
function rotation(body: RotationBody) {
  if (body.revoke_old && !body.now) throw invalid('/revoke_old', 'revoke_old goes with now');
  if (body.now && body.propagation !== undefined) {
    throw invalid('/propagation', 'propagation and now exclude each other');
  }
  const algorithms = body.algorithms ?? [...SIGNING_ALGORITHMS];
  for (const [index, alg] of algorithms.entries()) {
    if (!(SIGNING_ALGORITHMS as readonly string[]).includes(alg)) {
      throw invalid(
        `/algorithms/${index}`,
        `algorithms: "${alg}" is not one of ${SIGNING_ALGORITHMS.join(', ')}`,
      );
    }
  }
  let propagationSeconds = DEFAULT_PROPAGATION_SECONDS;
  if (body.propagation !== undefined) {
    const seconds =
      typeof body.propagation === 'number' ? body.propagation : parseDuration(body.propagation);
    if (seconds === undefined || seconds < 1 || seconds > MAX_PROPAGATION_SECONDS) {
      throw invalid(
        '/propagation',
        'propagation: expected a duration from 1s to 30d, such as 90s, 15m or 1h',
      );
    }
    propagationSeconds = seconds;
  }
  return { algorithms: algorithms as SigningAlgorithm[], propagationSeconds };
}

/**
 * The signing keys' operations: the schedule, and rotations through the keys service as
 * `keys rotate` makes them (staged, or at once), audited with the caller as actor. Rotations need
 * no If-Match: a rotation adds keys and never overwrites anyone's change, and a staged one is
 * refused (409) while another still waits.
 *
 * @example
 * const operations = keyOperations({ keyEncryptionKey });
 */
export function keyOperations(deps: KeyOperationsDeps): AdminOperation[] {
  return [
    {
      operationId: 'listSigningKeys',
      method: 'GET',
      path: '/keys',
      scope: 'admin:read',
      async run(call) {
        const { keys, now } = await createKeysService(call.db).list();
        return { status: 200, body: { items: keys.map(keyJson), now: now.toISOString() } };
      },
    },
    {
      operationId: 'rotateSigningKeys',
      method: 'POST',
      path: '/keys/rotations',
      scope: 'admin:keys',
      async run(call) {
        const body = (call.body ?? {}) as RotationBody;
        const { algorithms, propagationSeconds } = rotation(body);
        const common = { keyEncryptionKey: deps.keyEncryptionKey, algorithms, actor: call.actor };
        const keys = createKeysService(call.db);
        if (body.now) {
          const result = await keys.rotateNow({ ...common, revokeOld: body.revoke_old === true });
          return {
            status: 201,
            body: {
              activated: result.activated.map(keyJson),
              replaced: result.replaced.map(keyJson),
            },
          };
        }
        const staged = await keys.rotate({ ...common, propagationSeconds });
        return {
          status: 201,
          body: { staged: staged.map(keyJson), propagation_seconds: propagationSeconds },
        };
      },
    },
  ];
}
