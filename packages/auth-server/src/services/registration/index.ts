export { DYNAMIC_CLIENT_GRANTS } from './client-metadata.ts';
export {
  createDynamicRegistration,
  type DynamicRegistration,
  type RegisteredClient,
  type RegistrationRequest,
} from './dynamic-registration.ts';
export { RegistrationError, type RegistrationErrorCode } from './registration-error.ts';
export {
  type CreatedRegistrationToken,
  type CreateRegistrationTokenInput,
  createRegistrationTokensService,
  REGISTRATION_TOKEN_LIMITS,
  type RegistrationTokenStatus,
  type RegistrationTokensService,
  registrationTokenStatus,
} from './registration-tokens.ts';
