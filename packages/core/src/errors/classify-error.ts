import type { ErrorFrame } from '../bridge/frames.js';
import type { ErrorCode } from './error-codes.js';
import { ExoError } from './exo-error.js';

export interface ClassifyContext {
  /** The step that failed; the same text means different things in different steps. */
  step?: 'policy' | 'credential' | 'session' | 'import' | 'invoke' | 'disconnect';
  /** True when the environment's remote PowerShell endpoint is retired (Exchange Online since 2023-10-01). */
  rpsRetired?: boolean;
  /** Host name to name in messages, e.g. outlook.office365.com. */
  host?: string;
}

interface Rule {
  code: ErrorCode;
  test: RegExp;
  remediation?: (context: ClassifyContext, text: string) => string | undefined;
  details?: (text: string) => Record<string, unknown>;
}

const MISSING_PARAMETERS = /missing mandatory parameters:\s*([^\n.]*)/i;

function missingParameters(text: string): string[] {
  return (MISSING_PARAMETERS.exec(text)?.[1] ?? '').split(/[\s,]+/).filter(Boolean);
}

/**
 * Stable fragments of the real services' texts (REFERENCE.md §4), most specific first. Access denied
 * comes last: a session limit, a disabled account or MFA also surface through "Access is denied".
 */
const RULES: Rule[] = [
  {
    // The host cannot prompt, so the binder's question for what a call lacks comes back as this text (the same
    // as PowerShell's own in a non-interactive session).
    code: 'INVALID_ARGUMENT',
    test: MISSING_PARAMETERS,
    remediation: (_, text) => {
      const names = missingParameters(text).map((name) => `-${name}`);
      return `Pass the missing parameters: ${names.join(', ')} (with exo run, after --).`;
    },
    details: (text) => ({ missingParameters: missingParameters(text) }),
  },
  {
    code: 'INVALID_ARGUMENT',
    test: /tried to ask for confirmation: .*exo-connect host is not interactive/is,
    remediation: () =>
      'Pass -Confirm:$false to run the command without asking (after -- with exo run), or run it in exo shell.',
  },
  {
    code: 'CMDLET_ERROR',
    test: /The command tried to .*exo-connect host is not interactive/is,
    remediation: () =>
      'The command waits for interactive input, which a connection cannot give: pass the value as a parameter, or run the command in exo shell.',
  },
  {
    code: 'SESSION_LIMIT',
    test: /maximum number of connections allowed\s*:\s*\d+|MaxConcurrency|maximum number of \d+ concurrent shells/i,
    remediation: (_, text) => {
      const limit = /allowed\s*:\s*(\d+)|maximum number of (\d+) concurrent/i.exec(text);
      const n = limit?.[1] ?? limit?.[2] ?? '3';
      return (
        `The account has used all ${n} of its concurrent sessions. Close sessions you no longer need ` +
        '(`Get-PSSession | Remove-PSSession`, or disconnect other exo-connect processes) or wait for idle ones to ' +
        'expire (15 minutes); exo-connect queues connects beyond the limit when they share one process.'
      );
    },
  },
  { code: 'MFA_REQUIRED', test: /AADSTS5007[69]|must use multi-factor authentication/i },
  {
    code: 'FEDERATED_AUTH_UNAVAILABLE',
    test: /Federated service at|WS-Trust endpoint not found|missing_federation_metadata_url/i,
  },
  {
    code: 'WSMAN_UNAVAILABLE',
    test: /requires WSMan, and no supported WSMan client library was found|WSMan is either not installed or unavailable/i,
  },
  { code: 'EXECUTION_POLICY', test: /running scripts is disabled on this system/i },
  {
    code: 'RPS_ACCESS_DISABLED',
    test: /not (?:allowed|enabled) (?:to use|for) remote PowerShell|RemotePowerShellEnabled|EXOModuleEnabled/i,
  },
  { code: 'THROTTLED', test: /Micro delay applied|HttpStatusCode=500|\bthrottl/i },
  {
    code: 'SESSION_BROKEN',
    test: /background process closed or ended abnormally|error processing data from the background process|runspace is not in the Opened state|No session has been associated with this implicit remoting module|InvalidShellID|session state is (?:Broken|Closing|Closed|Disconnected)|remote session is no longer open|You must call Connect-ExchangeOnline before calling any other cmdlet|session has expired|PSRemotingTransportException.*(?:Broken|Closed)|PowerShell cannot handle\. A remote session might have ended|remote process closed or ended abnormally|Remote Session closed for Uri/i,
  },
  {
    code: 'NETWORK_UNREACHABLE',
    test: /server name cannot be resolved|No such host is known|Name or service not known|Connection refused|actively refused|could not be reached|network is unreachable|ETIMEDOUT|ECONNREFUSED/i,
  },
  { code: 'MODULE_NOT_INSTALLED', test: /was not loaded because no valid module file was found/i },
  {
    // Modern authentication (module strategy): Entra ID's AADSTS errors, a resource refusing a bearer token,
    // and .NET refusing a .pfx password (Linux/macOS text, then Windows').
    code: 'AUTH_FAILED',
    test: /\bAADSTS\d{5,}|\binvalid_token\b|certificate data cannot be read with the provided password|specified network password is not correct/i,
    remediation: (_, text) => {
      if (/AADSTS700016/i.test(text))
        return 'The application (appId) is not registered in this tenant: check appId and organization, and that an administrator consented to the app.';
      if (/AADSTS90002/i.test(text))
        return "The tenant was not found: give organization as the tenant's .onmicrosoft.com domain (or its tenant id).";
      if (/AADSTS700027/i.test(text))
        return "The certificate is expired or is not the one uploaded to the app registration: upload the certificate's public key to the app, or use a valid certificate.";
      if (/AADSTS50034/i.test(text))
        return 'The account does not exist in this tenant: check the user principal name.';
      if (/invalid_token/i.test(text))
        return 'The access token was refused: get a new token for https://outlook.office365.com (it must not be expired) and connect again.';
      if (/password/i.test(text) && !/AADSTS/i.test(text))
        return 'The certificate file could not be opened: check certificatePassword.';
      return undefined;
    },
  },
  {
    code: 'AUTH_FAILED',
    test: /Access is denied|Access Denied|Basic Authorization failed|AADSTS50126|AccessDenied,PSSessionOpenFailed/i,
  },
];

export function frameText(frame: ErrorFrame): string {
  return [frame.message, frame.details ?? '', ...frame.inner, frame.fqid, frame.exceptionType].join('\n');
}

export function classifyText(
  text: string,
  context: ClassifyContext = {},
): { code: ErrorCode; remediation?: string; details?: Record<string, unknown> } {
  for (const rule of RULES) {
    if (!rule.test.test(text)) continue;
    if (rule.code === 'AUTH_FAILED' && context.rpsRetired) return { code: 'RPS_RETIRED' };
    return { code: rule.code, remediation: rule.remediation?.(context, text), details: rule.details?.(text) };
  }
  return { code: 'CMDLET_ERROR' };
}

/** Turns an error record from PowerShell into an ExoError with a stable code and the next step. */
export function classifyErrorFrame(frame: ErrorFrame, context: ClassifyContext = {}): ExoError {
  const text = frameText(frame);
  const { code, remediation, details } = classifyText(text, context);
  const message = frame.details?.trim() ? frame.details.trim() : frame.message;
  return new ExoError(code, message, {
    remediation,
    details: {
      fullyQualifiedErrorId: frame.fqid,
      category: frame.category,
      exceptionType: frame.exceptionType,
      targetName: frame.targetName || undefined,
      step: context.step,
      ...details,
    },
  });
}
