/** Who made a change, for the audit trail (`cli:<user>`; `system` when not said). */
export interface ChangeOptions {
  actor?: string;
}

/**
 * The actor an audit event names for a change made with `options`.
 *
 * @example
 * actorOf({ actor: 'cli:alice' }); // 'cli:alice'
 * actorOf({}); // 'system'
 */
export const actorOf = (options: ChangeOptions): string => options.actor ?? 'system';
