import { describe, expect, it } from 'vitest';
import { parseConnectOptions, parseCredential } from './options.js';

const field = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { details: { field: string } }).details.field;
  }
  return 'accepted';
};

describe('credential validation names the bad field', () => {
  const app = { kind: 'certificate', appId: 'app', organization: 'contoso.onmicrosoft.com' } as const;
  it.each([
    [{ kind: 'managedIdentity' }, 'credential.organization'],
    [{ kind: 'accessToken', accessToken: '', organization: 'o' }, 'credential.accessToken'],
    [{ kind: 'fingerprint' }, 'credential.kind'],
    [{ userPrincipalName: 'admin', password: 'p' }, 'credential.userPrincipalName'],
    [app, 'credential.certificateFilePath'],
    [
      { ...app, certificateFilePath: 'a.pfx', certificateThumbprint: 'AB'.repeat(20) },
      'credential.certificateFilePath',
    ],
    [
      { ...app, certificateThumbprint: 'AB'.repeat(20), certificatePassword: 'x' },
      'credential.certificatePassword',
    ],
    [{ ...app, certificateThumbprint: 'AB'.repeat(20) }, 'accepted'],
    [{ ...app, certificateFilePath: 'a.pfx', certificatePassword: 'x' }, 'accepted'],
    [{ kind: 'device' }, 'accepted'],
  ])('%j → %s', (credential, expected) => {
    expect(field(() => parseConnectOptions({ credential: credential as never }))).toBe(expected);
    expect(field(() => parseCredential(credential))).toBe(expected);
  });

  it('never echoes a secret value in the message', () => {
    const secret = 'Sup3r-secret!';
    for (const credential of [
      { kind: 'accessToken', accessToken: secret },
      { userPrincipalName: 'nobody', password: secret },
      { ...app, certificatePassword: secret },
    ]) {
      try {
        parseConnectOptions({ credential: credential as never });
      } catch (error) {
        expect(JSON.stringify({ message: (error as Error).message, ...(error as object) })).not.toContain(
          secret,
        );
      }
    }
  });
});
