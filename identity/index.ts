export { createIdentity, INITIAL_ADMIN_USERNAME, type Identity, type IdentityOptions, type InitialAdmin, type Session, type SignInChallenge } from './identity';
export { AccountInput, AccountView, AccountStatus, AssignmentInput, LoginInput, Password, PendingGrantView, Username, PASSWORD_MIN_LENGTH } from './schemas';
export type { AccountCommands, PendingGrantEntry } from './accounts';
export { DEFAULT_PASSWORD_COST, TEST_PASSWORD_COST, passwordHashGate, type PasswordCost } from './passwords';
export type { TokenKind } from './tokens';
export { parseOrThrow, validationError } from './validation';
export { totpCode, type MfaEnrolment } from './mfa';
export { createSecretBox, loadMfaKey } from './secret-box';
export { createSqliteThrottleStore, openThrottleStore, type ThrottleStore, type WindowCount } from './throttle-store';
