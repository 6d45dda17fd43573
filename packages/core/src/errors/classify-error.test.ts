import { describe, expect, it } from 'vitest';
import type { ErrorFrame } from '../bridge/frames.js';
import { classifyErrorFrame, classifyText } from './classify-error.js';

/** The texts from REFERENCE.md §4, as the real services word them. */
const REAL_TEXTS: Array<[string, string]> = [
  [
    'SESSION_LIMIT',
    '[outlook.office365.com] Connecting to remote server outlook.office365.com failed with the following error message : Fail to create a runspace because you have exceeded the maximum number of connections allowed : 3 for the policy party : MaxConcurrency. Please close existing runspace and try again. For more information, see the about_Remote_Troubleshooting Help topic.',
  ],
  ['SESSION_LIMIT', 'This user is allowed a maximum number of 5 concurrent shells, which has been exceeded.'],
  [
    'AUTH_FAILED',
    '[outlook.office365.com] Connecting to remote server outlook.office365.com failed with the following error message : Access is denied. For more information, see the about_Remote_Troubleshooting Help topic.',
  ],
  ['AUTH_FAILED', 'Basic Authorization failed for user admin@contoso.onmicrosoft.com'],
  ['AUTH_FAILED', 'AADSTS50126: Error validating credentials due to invalid username or password.'],
  [
    'MFA_REQUIRED',
    'AADSTS50076: Due to a configuration change made by your administrator, you must use multi-factor authentication to access',
  ],
  ['MFA_REQUIRED', 'AADSTS50079: The user is required to use multi-factor authentication.'],
  [
    'FEDERATED_AUTH_UNAVAILABLE',
    'Federated service at https://sts.contoso.com/adfs/services/trust/2005/usernamemixed returned error: ID3242',
  ],
  ['FEDERATED_AUTH_UNAVAILABLE', 'WS-Trust endpoint not found in metadata document.'],
  ['FEDERATED_AUTH_UNAVAILABLE', 'AADSTS50008: missing_federation_metadata_url'],
  ['THROTTLED', 'Micro delay applied. Actual delayed: 21956 msecs, Enforced: True'],
  ['THROTTLED', 'The request failed with HttpStatusCode=500'],
  [
    'WSMAN_UNAVAILABLE',
    'This parameter set requires WSMan, and no supported WSMan client library was found. WSMan is either not installed or unavailable for this system.',
  ],
  [
    'EXECUTION_POLICY',
    'Files cannot be loaded because running scripts is disabled on this system. Provide a valid certificate with which to sign the files.',
  ],
  ['SESSION_BROKEN', 'The background process closed or ended abnormally.'],
  // PowerShell's own texts when the server of an out-of-process session dies while the session is opened
  // (RemotingErrorIdStrings FatalErrorCausingClose, IPCUnknownElementReceived, RemoteRunspaceClosed).
  [
    'SESSION_BROKEN',
    'An error has occurred which PowerShell cannot handle. A remote session might have ended.',
  ],
  [
    'SESSION_BROKEN',
    'An unknown element "Data" was received. This can happen if the remote process closed or ended abnormally.',
  ],
  ['SESSION_BROKEN', 'Remote Session closed for Uri http://localhost/wsman.'],
  // An out-of-process session server killed while it wrote: the client reads a cut message.
  [
    'SESSION_BROKEN',
    'There is an error processing data from the background process. Error reported: The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters..',
  ],
  ['SESSION_BROKEN', 'Cannot invoke the pipeline because the runspace is not in the Opened state.'],
  // The bridge's own words when a step failed because its session broke (Assert-ExoSessionOpen).
  [
    'SESSION_BROKEN',
    'The connection to the remote session broke: the remote session is no longer open. Broken pipe',
  ],
  ['SESSION_BROKEN', 'No session has been associated with this implicit remoting module.'],
  [
    'SESSION_BROKEN',
    'The WS-Management service cannot process the request because the request contained an invalid selector value InvalidShellID',
  ],
  ['SESSION_BROKEN', 'You must call Connect-ExchangeOnline before calling any other cmdlet.'],
  [
    'NETWORK_UNREACHABLE',
    'The WinRM client cannot process the request because the server name cannot be resolved.',
  ],
  [
    'MODULE_NOT_INSTALLED',
    "The specified module 'ExchangeOnlineManagement' was not loaded because no valid module file was found in any module directory.",
  ],
  [
    'CMDLET_ERROR',
    "The operation couldn't be performed because object 'nobody' couldn't be found on 'EXO1'.",
  ],
];

/** Modern-authentication failures (module strategy): Entra ID, a bearer-token refusal, a .pfx password. */
const SIGN_IN_TEXTS: Array<[string, string]> = [
  [
    'registered',
    "AADSTS700016: Application with identifier 'abc' was not found in the directory 'contoso.onmicrosoft.com'.",
  ],
  ['tenant was not found', "AADSTS90002: Tenant 'contoso.example' not found."],
  [
    'uploaded to the app registration',
    'AADSTS700027: Client assertion contains an invalid signature. [Reason - The key used is expired.]',
  ],
  ['does not exist', 'AADSTS50034: The user account {EUII Hidden} does not exist in the directory.'],
  ['new token', 'UnAuthorized: Bearer error="invalid_token", error_description="The token expired"'],
  [
    'certificatePassword',
    'The certificate data cannot be read with the provided password, the password may be incorrect.',
  ],
  ['certificatePassword', 'The specified network password is not correct.'],
];

describe('classifyText', () => {
  it.each(REAL_TEXTS)('%s ← %s', (code, text) => {
    expect(classifyText(text).code).toBe(code);
  });

  it.each(SIGN_IN_TEXTS)('AUTH_FAILED with a remedy naming "%s" ← %s', (remedy, text) => {
    const result = classifyText(text);
    expect(result.code).toBe('AUTH_FAILED');
    expect(result.remediation).toContain(remedy);
  });

  it('reads the limit out of the MaxConcurrency text into the remedy', () => {
    const result = classifyText(
      'Fail to create a runspace because you have exceeded the maximum number of connections allowed : 5 for the policy party : MaxConcurrency.',
    );
    expect(result.remediation).toContain('all 5 of its concurrent sessions');
  });

  it('explains Access denied from a retired remote PowerShell endpoint as RPS_RETIRED', () => {
    expect(classifyText('Access is denied.', { rpsRetired: true }).code).toBe('RPS_RETIRED');
    expect(classifyText('Access is denied.', { rpsRetired: false }).code).toBe('AUTH_FAILED');
  });

  it('prefers the session limit over the Access denied wrapped around it', () => {
    expect(
      classifyText(
        'Access is denied. maximum number of connections allowed : 3 for the policy party : MaxConcurrency',
      ).code,
    ).toBe('SESSION_LIMIT');
  });
});

describe('classifyErrorFrame', () => {
  const frame: ErrorFrame = {
    t: 'e',
    message: 'Connecting to remote server failed with the following error message : Access is denied.',
    fqid: 'AccessDenied,PSSessionOpenFailed',
    category: 'OpenError',
    reason: 'PSRemotingTransportException',
    targetName: '',
    exceptionType: 'System.Management.Automation.Remoting.PSRemotingTransportException',
    details: null,
    inner: [],
    terminating: false,
  };

  it('keeps the identifiers a support engineer needs', () => {
    const error = classifyErrorFrame(frame, { step: 'session' });
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.message).toBe(frame.message);
    expect(error.details).toMatchObject({
      fullyQualifiedErrorId: 'AccessDenied,PSSessionOpenFailed',
      category: 'OpenError',
      step: 'session',
    });
  });

  it('shows ErrorDetails, which PowerShell itself shows instead of the exception text', () => {
    const error = classifyErrorFrame({ ...frame, details: 'Access is denied (details).' });
    expect(error.message).toBe('Access is denied (details).');
  });
});

describe('prompts the host cannot answer', () => {
  it('names the missing mandatory parameters, as PowerShell does in a non-interactive session', () => {
    const result = classifyText(
      'Cannot process command because of one or more missing mandatory parameters: MicrosoftOnlineServicesID Password.',
    );
    expect(result).toEqual({
      code: 'INVALID_ARGUMENT',
      remediation:
        'Pass the missing parameters: -MicrosoftOnlineServicesID, -Password (with exo run, after --).',
      details: { missingParameters: ['MicrosoftOnlineServicesID', 'Password'] },
    });
  });

  it('says what a confirmation or another prompt asked for', () => {
    const confirm = classifyText(
      'The command tried to ask for confirmation: "Confirm Are you sure you want to perform this action? Access is denied", but the exo-connect host is not interactive.',
    );
    expect(confirm).toMatchObject({
      code: 'INVALID_ARGUMENT',
      remediation: expect.stringContaining('-Confirm:$false'),
    });
    const read = classifyText(
      'The command tried to read a line of input (Read-Host), but the exo-connect host is not interactive.',
    );
    expect(read).toMatchObject({
      code: 'CMDLET_ERROR',
      remediation: expect.stringContaining('interactive input'),
    });
  });
});
