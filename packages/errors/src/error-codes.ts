/**
 * Process exit codes by class of failure, so a script can tell "fix your input" from "try later" without
 * parsing text. 0 and 1 are never used: 1 is what an unexpected crash of Node gives.
 */
export const EXIT_CODE_CLASSES = Object.freeze({
  /** A bad flag, option, name or parameter: the caller can fix it. */
  usage: 2,
  /** The credential is missing or refused, or the account may not sign in this way. */
  signIn: 3,
  /** The service refuses more work for now. */
  serviceLimit: 4,
  /** The endpoint could not be reached, or the session broke or timed out. */
  connection: 5,
  /** Something on this machine is missing or blocked: pwsh, a module, WSMan, the execution policy. */
  localSetup: 6,
  /** The cmdlet itself failed. */
  cmdlet: 7,
  /** Cancelled, as a shell reports Ctrl+C (128 + SIGINT). */
  aborted: 130,
} as const);

export type ExitCode = (typeof EXIT_CODE_CLASSES)[keyof typeof EXIT_CODE_CLASSES];

export interface ErrorCodeEntry {
  /** The next step shown to a user when the raiser knows no more specific one. */
  remediation: string;
  /** Whether the same call can succeed if tried again later, unchanged. */
  retryable: boolean;
  /** What the `exo` CLI exits with (one of EXIT_CODE_CLASSES). */
  exitCode: ExitCode;
}

/**
 * The stable error codes (DESIGN.md §6). Users and the CLI switch on these; never rename one.
 * Every package raises these codes, so a user sees one set of codes and one voice whichever package failed.
 */
export const ERROR_CODES = {
  PWSH_NOT_FOUND: {
    remediation:
      'Install PowerShell 7.6.5 or later (Linux: `dotnet tool install --global PowerShell --version 7.6.9` or ' +
      "Microsoft's package repository; macOS: `brew install --cask powershell`; Windows: " +
      '`winget install Microsoft.PowerShell`), or set EXO_PWSH to the pwsh executable.',
    retryable: false,
    exitCode: EXIT_CODE_CLASSES.localSetup,
  },
  EXECUTION_POLICY: {
    remediation:
      'Scripts are blocked by the execution policy. Run `Set-ExecutionPolicy RemoteSigned -Scope CurrentUser` once ' +
      '(or pass the option that does it for you); if Group Policy enforces the policy, ask your administrator.',
    retryable: false,
    exitCode: EXIT_CODE_CLASSES.localSetup,
  },
  CREDENTIAL_MISSING: {
    remediation:
      'Provide a credential: a user principal name and password, or another sign-in (device code, certificate, client secret, managed identity, access token).',
    retryable: false,
    exitCode: EXIT_CODE_CLASSES.signIn,
  },
  AUTH_FAILED: {
    remediation:
      'Check the user name and password (the most common cause); the account must be a work or school account.',
    retryable: false,
    exitCode: EXIT_CODE_CLASSES.signIn,
  },
  MFA_REQUIRED: {
    remediation:
      'This account requires multi-factor authentication: sign in with a device code, a certificate, a client secret ' +
      'or an access token instead of a password (the rest or module strategy).',
    retryable: false,
    exitCode: EXIT_CODE_CLASSES.signIn,
  },
  FEDERATED_AUTH_UNAVAILABLE: {
    remediation:
      'The account is federated and its identity provider is not reachable from the service. Use a non-federated ' +
      '(cloud-only) account, or a device code sign-in (the rest or module strategy).',
    retryable: false,
    exitCode: EXIT_CODE_CLASSES.signIn,
  },
  RPS_ACCESS_DISABLED: {
    remediation:
      'The account is not enabled for remote PowerShell. An administrator can enable it with ' +
      '`Set-User <account> -RemotePowerShellEnabled $true`.',
    retryable: false,
    exitCode: EXIT_CODE_CLASSES.signIn,
  },
  RPS_RETIRED: {
    remediation:
      'Exchange Online retired remote PowerShell on 2023-10-01. Use the rest strategy (the default; `strategy: "rest"`, ' +
      'or `--strategy rest`) or the module strategy (`--strategy module`).',
    retryable: false,
    exitCode: EXIT_CODE_CLASSES.localSetup,
  },
  SESSION_LIMIT: {
    remediation:
      'The account has used all of its concurrent sessions (3). Close sessions you no longer need ' +
      '(`Get-PSSession | Remove-PSSession`) or wait for idle ones to expire (15 minutes).',
    retryable: true,
    exitCode: EXIT_CODE_CLASSES.serviceLimit,
  },
  THROTTLED: {
    remediation:
      'The service is throttling this account. Wait and try again, and send fewer commands at once.',
    retryable: true,
    exitCode: EXIT_CODE_CLASSES.serviceLimit,
  },
  NETWORK_UNREACHABLE: {
    remediation:
      'The endpoint could not be reached. Check DNS, that TCP ports 443 and 80 are open to the service, and your ' +
      'proxy settings (`exo doctor` checks each).',
    retryable: true,
    exitCode: EXIT_CODE_CLASSES.connection,
  },
  PROXY_UNSUPPORTED: {
    remediation:
      'This proxy setting does not exist on this platform. Give an explicit proxy URL, or set HTTPS_PROXY.',
    retryable: false,
    exitCode: EXIT_CODE_CLASSES.usage,
  },
  WSMAN_UNAVAILABLE: {
    remediation:
      'PowerShell on Linux and macOS cannot open WSMan (remote PowerShell) sessions. Use the rest or module strategy ' +
      '(ExchangeOnlineManagement), or run the rps strategy on Windows.',
    retryable: false,
    exitCode: EXIT_CODE_CLASSES.localSetup,
  },
  MODULE_NOT_INSTALLED: {
    remediation: 'Install the module: `Install-Module ExchangeOnlineManagement -Scope CurrentUser`.',
    retryable: false,
    exitCode: EXIT_CODE_CLASSES.localSetup,
  },
  SESSION_BROKEN: {
    remediation: 'The session was lost (network drop, expiry or server restart). Connect again.',
    retryable: true,
    exitCode: EXIT_CODE_CLASSES.connection,
  },
  TIMEOUT: {
    remediation: 'The step took longer than its timeout. Raise the timeout or check the network.',
    retryable: true,
    exitCode: EXIT_CODE_CLASSES.connection,
  },
  ABORTED: {
    remediation: 'The operation was cancelled by its caller.',
    retryable: false,
    exitCode: EXIT_CODE_CLASSES.aborted,
  },
  CMDLET_ERROR: {
    remediation: 'The cmdlet reported an error; see the message for its details.',
    retryable: false,
    exitCode: EXIT_CODE_CLASSES.cmdlet,
  },
  INVALID_ARGUMENT: {
    remediation: 'Correct the named field and try again.',
    retryable: false,
    exitCode: EXIT_CODE_CLASSES.usage,
  },
  UNKNOWN_ENVIRONMENT: {
    remediation: 'Use one of the listed environment ids (`exo endpoints list` shows them all).',
    retryable: false,
    exitCode: EXIT_CODE_CLASSES.usage,
  },
  ENVIRONMENT_RETIRED: {
    remediation: 'Choose an active environment; this one has been closed.',
    retryable: false,
    exitCode: EXIT_CODE_CLASSES.usage,
  },
  COMMAND_NOT_ALLOWED: {
    remediation:
      'Run only the commands the session exported, or opt in with allowCommands / allowLocalCommands.',
    retryable: false,
    exitCode: EXIT_CODE_CLASSES.usage,
  },
} as const satisfies Record<string, ErrorCodeEntry>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Every code, in the order of DESIGN.md §6. */
export const errorCodes = Object.keys(ERROR_CODES) as ErrorCode[];
