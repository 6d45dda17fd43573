/** The identity platform's surface for startSandboxServer(); the package index does not export it yet. */
export {
  type AppCertificate,
  type AppRegistration,
  type AppSecret,
  type AppStore,
  type CreateSandboxAppOptions,
  createSandboxApp,
  openAppStore,
  type RegisterAppInput,
  type SandboxAppCredentials,
} from './apps.js';
export type { AuthenticateResult, DirectoryUser, IdentityDirectory, Lifetimes } from './context.js';
export {
  createIdentityPlatform,
  EXO_MODULE_CLIENT_ID,
  type IdentityPlatform,
  type IdentityPlatformOptions,
  SANDBOX_MANAGED_IDENTITY_CLIENT_ID,
} from './identity-platform.js';
export {
  decodeJwt,
  type JwtClaims,
  type JwtFailureReason,
  type JwtHeader,
  signJwt,
  type VerifyJwtOptions,
  verifyJwt,
} from './jwt.js';
export { MANAGED_IDENTITY_API_VERSION } from './managed-identity.js';
export { type Jwk, jwks, loadOrCreateSigningKey, type SigningKey } from './signing-keys.js';
export type { AccessTokenVerification, ExpectedToken } from './verify-access-token.js';
export {
  createCertificateAuthority,
  createSelfSignedCertificate,
  type IssuedCertificate,
  issueServerCertificate,
} from './x509.js';
