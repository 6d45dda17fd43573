import { createKeychain, type Profile, promptPassword, readPasswordFromStdin } from '@exo-connect/cli';
import { type Credential, ExoError } from '@exo-connect/core';

/** The sign-in flags beside -u: an app (certificate or client secret) or a managed identity. */
export interface AppSignInFlags {
  'app-id'?: string;
  organization?: string;
  'certificate-file'?: string;
  'certificate-thumbprint'?: string;
  'managed-identity'?: boolean;
  'password-stdin'?: boolean;
}

export interface SecretSource {
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

/** Flags first, then the profile's fields; undefined when neither names an app or a managed identity. */
export function appSignInOf(flags: AppSignInFlags, profile: Profile | undefined) {
  const fromFlags =
    flags['app-id'] !== undefined ||
    flags['certificate-file'] !== undefined ||
    flags['certificate-thumbprint'] !== undefined ||
    flags['managed-identity'] === true;
  const appId = flags['app-id'] ?? (fromFlags ? undefined : profile?.appId);
  const managedIdentity = flags['managed-identity'] ?? (fromFlags ? false : profile?.managedIdentity);
  if (appId === undefined && !managedIdentity) {
    if (flags['certificate-file'] !== undefined || flags['certificate-thumbprint'] !== undefined) {
      throw new ExoError(
        'INVALID_ARGUMENT',
        '--certificate-file and --certificate-thumbprint need --app-id.',
        {
          details: { field: 'app-id' },
          remediation: "Add --app-id <the app's client id> --organization <tenant>.",
        },
      );
    }
    return undefined;
  }
  const organization = flags.organization ?? profile?.organization;
  if (!organization) {
    throw new ExoError('INVALID_ARGUMENT', 'An app-only or managed-identity sign-in needs --organization.', {
      details: { field: 'organization' },
      remediation:
        'Add --organization contoso.onmicrosoft.com (or the tenant GUID), or set it in the profile.',
    });
  }
  return {
    appId,
    organization,
    managedIdentity: Boolean(managedIdentity) && appId === undefined,
    certificateFilePath: fromFlags ? flags['certificate-file'] : profile?.certificateFilePath,
    certificateThumbprint: fromFlags ? flags['certificate-thumbprint'] : profile?.certificateThumbprint,
  };
}

/**
 * The app-only credential the flags and profile describe. The client secret (or a certificate file's
 * password) comes from --password-stdin, the keychain (a profile added with --keychain stores it under the
 * app id), or a masked prompt; never from argv or the environment.
 */
export async function appCredential(
  sign: NonNullable<ReturnType<typeof appSignInOf>>,
  flags: AppSignInFlags,
  profile: Profile | undefined,
  io: SecretSource,
): Promise<Credential> {
  if (sign.managedIdentity) return { kind: 'managedIdentity', organization: sign.organization };
  const appId = sign.appId!;
  const stored = async () =>
    profile?.credentialStore === 'keychain' ? createKeychain({ env: io.env }).getPassword(appId) : undefined;
  if (sign.certificateFilePath || sign.certificateThumbprint) {
    const certificatePassword = flags['password-stdin']
      ? await readPasswordFromStdin(io.stdin)
      : await stored();
    return sign.certificateFilePath
      ? {
          kind: 'certificate',
          appId,
          organization: sign.organization,
          certificateFilePath: sign.certificateFilePath,
          ...(certificatePassword !== undefined && { certificatePassword }),
        }
      : {
          kind: 'certificate',
          appId,
          organization: sign.organization,
          certificateThumbprint: sign.certificateThumbprint!,
        };
  }
  let clientSecret = flags['password-stdin'] ? await readPasswordFromStdin(io.stdin) : await stored();
  if (clientSecret === undefined) {
    if (!io.stdin.isTTY) {
      throw new ExoError(
        'CREDENTIAL_MISSING',
        `No client secret for app ${appId}: stdin is not a terminal, so exo cannot ask.`,
        {
          remediation:
            'Pipe it with --password-stdin, or store it with `exo profile add … --app-id … --keychain`.',
        },
      );
    }
    clientSecret = await promptPassword({
      input: io.stdin,
      output: io.stderr,
      prompt: `Client secret for app ${appId}: `,
    });
  }
  return { kind: 'clientSecret', appId, organization: sign.organization, clientSecret };
}

/** What the one line on stderr says of an app sign-in. */
export function describeAppSignIn(sign: NonNullable<ReturnType<typeof appSignInOf>>): string {
  if (sign.managedIdentity) return `the managed identity, tenant ${sign.organization}`;
  const how = sign.certificateFilePath || sign.certificateThumbprint ? 'certificate' : 'client secret';
  return `app ${sign.appId} (${how}), tenant ${sign.organization}`;
}
