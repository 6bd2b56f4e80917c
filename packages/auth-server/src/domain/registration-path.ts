/**
 * Where dynamic client registration (RFC 7591) is served, below the issuer's origin; a client's
 * own registration (RFC 7592) is at `${REGISTRATION_PATH}/<client_id>`.
 */
export const REGISTRATION_PATH = '/reg';
