import type { KeysRepository } from '@portcullis/storage';
import type { Metrics } from './metrics.ts';

/**
 * `keys` with every snapshot it reads passed on to the metrics, so the signing-key age gauge
 * shows the keys this server last loaded (and changes with rotations) without a query per
 * scrape.
 *
 * @example
 * createKeyWatcher({ keys: observeKeys(createKeysRepository(db), metrics), ... });
 */
export function observeKeys(keys: KeysRepository, metrics: Metrics): KeysRepository {
  return {
    ...keys,
    async snapshot() {
      const snapshot = await keys.snapshot();
      metrics.setSigningKeys(snapshot.keys);
      return snapshot;
    },
  };
}
