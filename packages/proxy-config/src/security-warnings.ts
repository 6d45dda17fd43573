import type { ProxyField } from './proxy-options-schema.js';

type SkipCheck = Extract<ProxyField, 'skipCACheck' | 'skipCNCheck' | 'skipRevocationCheck'>;

const WHAT_IS_SKIPPED: Readonly<Record<SkipCheck, string>> = Object.freeze({
  skipCACheck:
    'SkipCACheck is ON: the server certificate is NOT checked against a trusted certificate authority, so ' +
    'anyone who can intercept the connection can pose as the Exchange server',
  skipCNCheck:
    "SkipCNCheck is ON: the server certificate's name is NOT compared with the host you connect to, so a " +
    'certificate issued for any other host is accepted and a man in the middle goes unnoticed',
  skipRevocationCheck:
    'SkipRevocationCheck is ON: the server certificate is NOT checked for revocation, so a stolen ' +
    'certificate its issuer has already revoked is still accepted',
});

/** The loud warning shown whenever a certificate check is switched off. */
export function skipCheckWarning(check: SkipCheck, source: string): string {
  return (
    `SECURITY WARNING: ${WHAT_IS_SKIPPED[check]} (set by ${source}). Your password and every command travel ` +
    'over this connection. Use it only against a test server you trust by other means, and turn it off again.'
  );
}

export const SKIP_CHECKS: readonly SkipCheck[] = ['skipCACheck', 'skipCNCheck', 'skipRevocationCheck'];
