const DAY = 86_400;

/**
 * The limits `portcullis doctor` measures against, in seconds. Each is the point past which a
 * value stops being a choice we would defend, not a hard rule of an RFC.
 */
export const DOCTOR_THRESHOLDS = {
  /** An active signing key older than this should be rotated. */
  signingKeyAge: 180 * DAY,
  /** A key's scheduled step this late means no server is advancing the schedule. */
  keyScheduleGrace: 10 * 60,
  /** A live client secret older than this should be rotated. */
  clientSecretAge: 365 * DAY,
  /** A client whose every live secret expires within this is about to stop working. */
  clientSecretExpiringWithin: 14 * DAY,
  /** A client not used for this long should be disabled. */
  clientUnused: 90 * DAY,
  /** Access tokens that live longer than this are too long to leak. */
  accessTokenTtl: 3600,
  /** Refresh tokens that live longer than this (each rotation starts a new one) are too long. */
  refreshTokenTtl: 90 * DAY,
  /** A refresh-token reuse grace window longer than this gives a thief time. */
  refreshReuseGrace: 30,
  /** Cookie keys shorter than this are guessable. */
  cookieKeyLength: 32,
} as const;
