/**
 * The stable error codes (DESIGN.md §6). Users and the CLI switch on these; never rename one.
 * Each carries the default next step shown to a user and whether trying again can help.
 */
export const ERROR_CODES = {
  PWSH_NOT_FOUND: {
    remediation:
      'Install PowerShell 7.6.5 or later (Linux: `dotnet tool install --global PowerShell --version 7.6.9` or ' +
      "Microsoft's package repository; macOS: `brew install --cask powershell`; Windows: " +
      '`winget install Microsoft.PowerShell`), or set EXO_PWSH to the pwsh executable.',
    retryable: false,
  },
  EXECUTION_POLICY: {
    remediation:
      'Scripts are blocked by the execution policy. Run `Set-ExecutionPolicy RemoteSigned -Scope CurrentUser` once ' +
      '(or pass the option that does it for you); if Group Policy enforces the policy, ask your administrator.',
    retryable: false,
  },
  CREDENTIAL_MISSING: {
    remediation:
      'Provide a credential: a user principal name and password, or a module-strategy sign-in method.',
    retryable: false,
  },
  AUTH_FAILED: {
    remediation:
      'Check the user name and password (the most common cause); the account must be a work or school account.',
    retryable: false,
  },
  MFA_REQUIRED: {
    remediation:
      'This account requires multi-factor authentication: use the module strategy with device code, a certificate ' +
      'or an access token instead of a password.',
    retryable: false,
  },
  FEDERATED_AUTH_UNAVAILABLE: {
    remediation:
      'The account is federated and its identity provider is not reachable from the service. Use a non-federated ' +
      '(cloud-only) account, or the module strategy with modern authentication.',
    retryable: false,
  },
  RPS_ACCESS_DISABLED: {
    remediation:
      'The account is not enabled for remote PowerShell. An administrator can enable it with ' +
      '`Set-User <account> -RemotePowerShellEnabled $true`.',
    retryable: false,
  },
  RPS_RETIRED: {
    remediation:
      'Exchange Online retired remote PowerShell on 2023-10-01. Use the module strategy (`strategy: "module"`, ' +
      'or `--strategy module`).',
    retryable: false,
  },
  SESSION_LIMIT: {
    remediation:
      'The account has used all of its concurrent sessions (3). Close sessions you no longer need ' +
      '(`Get-PSSession | Remove-PSSession`) or wait for idle ones to expire (15 minutes).',
    retryable: true,
  },
  THROTTLED: {
    remediation:
      'The service is throttling this account. Wait and try again, and send fewer commands at once.',
    retryable: true,
  },
  NETWORK_UNREACHABLE: {
    remediation:
      'The endpoint could not be reached. Check DNS, that TCP ports 443 and 80 are open to the service, and your ' +
      'proxy settings (`exo doctor` checks each).',
    retryable: true,
  },
  PROXY_UNSUPPORTED: {
    remediation:
      'This proxy setting does not exist on this platform. Give an explicit proxy URL, or set HTTPS_PROXY.',
    retryable: false,
  },
  WSMAN_UNAVAILABLE: {
    remediation:
      'PowerShell on Linux and macOS cannot open WSMan (remote PowerShell) sessions. Use the module strategy ' +
      '(ExchangeOnlineManagement), or run the rps strategy on Windows.',
    retryable: false,
  },
  MODULE_NOT_INSTALLED: {
    remediation: 'Install the module: `Install-Module ExchangeOnlineManagement -Scope CurrentUser`.',
    retryable: false,
  },
  SESSION_BROKEN: {
    remediation: 'The session was lost (network drop, expiry or server restart). Connect again.',
    retryable: true,
  },
  TIMEOUT: {
    remediation: 'The step took longer than its timeout. Raise the timeout or check the network.',
    retryable: true,
  },
  ABORTED: {
    remediation: 'The operation was cancelled by its caller.',
    retryable: false,
  },
  CMDLET_ERROR: {
    remediation: 'The cmdlet reported an error; see the message for its details.',
    retryable: false,
  },
  INVALID_ARGUMENT: {
    remediation: 'Correct the named field and try again.',
    retryable: false,
  },
  UNKNOWN_ENVIRONMENT: {
    remediation: 'Use one of the listed environment ids (`exo endpoints list` shows them all).',
    retryable: false,
  },
  ENVIRONMENT_RETIRED: {
    remediation: 'Choose an active environment; this one has been closed.',
    retryable: false,
  },
  COMMAND_NOT_ALLOWED: {
    remediation:
      'Run only the commands the session exported, or opt in with allowCommands / allowLocalCommands.',
    retryable: false,
  },
} as const satisfies Record<string, { remediation: string; retryable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const errorCodes = Object.keys(ERROR_CODES) as ErrorCode[];
