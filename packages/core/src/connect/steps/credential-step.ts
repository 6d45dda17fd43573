import { ExoError } from '../../errors/exo-error.js';
import { type Credential, type CredentialProvider, parseCredential } from '../options.js';
import { runPlan } from './run-plan.js';
import type { StepContext, StepResult } from './step-context.js';

/** Takes the credential given, or asks its provider (a prompt, a vault); validated, never shown. */
export async function credentialStep(ctx: StepContext): Promise<StepResult> {
  const source = ctx.credentialSource;
  if (source === undefined) {
    if (ctx.plan.strategy === 'module' || ctx.plan.strategy === 'rest') {
      throw new ExoError(
        'CREDENTIAL_MISSING',
        `No credential was given for the ${ctx.plan.strategy} strategy.`,
        {
          remediation:
            ctx.plan.strategy === 'rest'
              ? 'Give a credential: { userPrincipalName, password }, { kind: "device" }, { kind: "certificate", … }, ' +
                '{ kind: "clientSecret", … }, { kind: "managedIdentity", … } or { kind: "accessToken", … }.'
              : 'Give a credential: { userPrincipalName, password }, { kind: "device" }, { kind: "certificate", … }, ' +
                '{ kind: "managedIdentity", … } or { kind: "accessToken", … }.',
        },
      );
    }
    throw new ExoError(
      'CREDENTIAL_MISSING',
      'No credential was given: remote PowerShell needs a user name and password.',
    );
  }
  const credential = parseCredential(typeof source === 'function' ? await provided(source) : source);
  const signIn = ctx.strategy.credential?.({ ...ctx.plan, credential });
  if (!signIn) return { credential, detail: describeCredential(credential) };
  // The rest strategy signs in here: the token is the credential the session step uses.
  const [who] = (await runPlan(ctx, signIn)) as Array<{ UserPrincipalName?: string; AppId?: string }>;
  const signedIn = who?.UserPrincipalName ?? (who?.AppId ? `app ${who.AppId}` : undefined);
  const described = describeCredential(credential);
  // A password names the user already; other sign-ins learn who signed in only from the token.
  const detail =
    signedIn && signedIn.toLowerCase() !== described.toLowerCase()
      ? `${described}: signed in as ${signedIn}`
      : described;
  return { credential, detail };
}

/**
 * Calls a credential provider. Its own ExoError (a cancelled prompt, say) passes unchanged; anything else
 * means no credential could be had: CREDENTIAL_MISSING, with the provider's error as the cause. Its message
 * is not repeated, since it may quote what the provider read (JSON.parse quotes its input, for one).
 */
async function provided(provider: CredentialProvider): Promise<Credential> {
  try {
    return await provider();
  } catch (error) {
    if (ExoError.is(error)) throw error;
    const kind = error instanceof Error ? error.name : typeof error;
    throw new ExoError('CREDENTIAL_MISSING', `The credential provider failed (${kind}).`, {
      remediation:
        'Check what the credential provider reads (a prompt, a vault, a file), or pass the credential itself. ' +
        "The provider's error is this error's cause.",
      cause: error,
    });
  }
}

/** What may be shown of a credential: never a password, token or certificate secret. */
export function describeCredential(credential: Credential): string {
  switch (credential.kind) {
    case undefined:
    case 'password':
      return credential.userPrincipalName;
    case 'device':
      return 'device code sign-in';
    case 'certificate':
      return `certificate for app ${credential.appId}`;
    case 'clientSecret':
      return `client secret for app ${credential.appId}`;
    case 'managedIdentity':
      return 'managed identity';
    case 'accessToken':
      return 'access token';
  }
}
