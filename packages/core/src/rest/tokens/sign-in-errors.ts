import { ExoError } from '../../errors/exo-error.js';
import { isCertificateError, transportFailure } from '../admin-api/network-error.js';

/** What an identity platform said when it refused a sign-in (MSAL's ServerError, or a managed identity's body). */
export interface RefusedSignIn {
  /** OAuth's `error`: invalid_grant, invalid_client, expired_token, … */
  error?: string;
  /** The AADSTS number, from `error_codes` or the message. */
  aadsts?: number;
  /** The platform's own text (error_description, without its trace lines). */
  message: string;
  status?: number;
}

const MFA = new Set([50076, 50079, 50074, 50158]);
const WRONG_APP_SECRET = new Set([7000215, 7000222]);
const WRONG_CERTIFICATE = new Set([700027, 700024, 700023]);

/** Entra's first line: "AADSTS50126: Error validating credentials…" without "Trace ID: … Timestamp: …". */
export function firstLineOf(description: string): string {
  return description
    .split(/\r?\n/)[0]!
    .replace(/\s+Trace ID:.*$/, '')
    .trim();
}

export function aadstsOf(text: string): number | undefined {
  const match = /AADSTS(\d+)/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/**
 * A refused sign-in as a stable code with the platform's own text and a remedy for this strategy. Never holds
 * the secret: Entra's texts name the account at most.
 */
export function refusedSignIn(refused: RefusedSignIn): ExoError {
  const message =
    firstLineOf(refused.message) || `The sign-in was refused (${refused.error ?? 'no reason given'}).`;
  const code = refused.aadsts ?? aadstsOf(refused.message);
  const details = {
    ...(code !== undefined && { aadsts: code }),
    ...(refused.error && { error: refused.error }),
  };
  const failed = (remediation: string) => new ExoError('AUTH_FAILED', message, { details, remediation });

  if (code !== undefined && MFA.has(code)) {
    return new ExoError('MFA_REQUIRED', message, {
      details,
      remediation:
        'This account needs multi-factor authentication, which a password alone cannot give: sign in with a ' +
        'device code (credential { kind: "device" }, or --device-code), or app-only with a certificate or a client secret.',
    });
  }
  if (code === 40008 || /federated Identity Provider/i.test(message)) {
    return new ExoError('FEDERATED_AUTH_UNAVAILABLE', message, {
      details,
      remediation:
        'The account is federated and Entra ID cannot reach its identity provider. Sign in with a device code (the browser goes to the provider itself), or use a cloud-only account or app-only sign-in.',
    });
  }
  if (refused.error === 'expired_token' || code === 70020) {
    return new ExoError('TIMEOUT', message, {
      details,
      remediation:
        'The device code expired before anyone signed in with it. Connect again and sign in within its lifetime.',
    });
  }
  if (refused.error === 'authorization_declined') {
    return failed('The sign-in was declined in the browser. Connect again and approve it.');
  }
  switch (code) {
    case 50126:
    case 50034:
    case 50053:
    case 50057:
      return failed(
        'Check the user name and password (the most common cause); the account must be a work or school account, not locked or disabled.',
      );
    case 700016:
      return failed(
        'No app with this appId exists in the tenant: check appId and organization, and that the app is registered (and consented) in that tenant.',
      );
    case 90002:
    case 90072:
      return failed(
        'The tenant was not found: check organization (its GUID or its <name>.onmicrosoft.com domain).',
      );
    case 53003:
      return failed(
        'A Conditional Access policy blocked the sign-in: ask your administrator which policy applies.',
      );
    case 7000218:
      return failed('The app needs a client secret or a certificate: give one in the credential.');
    default:
      break;
  }
  if (code !== undefined && WRONG_APP_SECRET.has(code)) {
    return failed(
      'The client secret is wrong or expired: make a new one for the app and pass it as clientSecret.',
    );
  }
  if (code !== undefined && WRONG_CERTIFICATE.has(code)) {
    return failed(
      "The certificate is not one registered on the app, or it has expired: upload the certificate's public half to the app registration, or use the one that is.",
    );
  }
  return failed('The identity platform refused the sign-in; its message says why.');
}

/**
 * The identity platform could not be reached (or answered in a way no client could read). `transport` is the
 * HTTP stack's own error when known: an untrusted certificate says so, and which CA to trust.
 */
export function unreachableIdentity(authority: string, cause: unknown, transport?: unknown): ExoError {
  if (transport !== undefined && isCertificateError(transport)) {
    const failure = transportFailure(transport, new URL(authority).host);
    if (failure.kind === 'unreachable') return failure.error;
  }
  return new ExoError('NETWORK_UNREACHABLE', `The identity platform at ${authority} could not be reached.`, {
    cause,
    remediation:
      "Check DNS, that TCP port 443 to the environment's authority is open, and the proxy settings (`exo doctor` checks each).",
  });
}
