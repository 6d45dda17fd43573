/** The URI the sandbox answers; the New-PSSession proxy function intercepts only this one. */
export const SANDBOX_CONNECTION_URI = 'https://sandbox.exo.localhost/powershell-liveid/';

/**
 * The sandbox's demo administrator. The password is public on purpose: it opens nothing but a local,
 * generated tenant on this machine.
 */
export const SANDBOX_DEMO_CREDENTIAL = Object.freeze({
  userPrincipalName: 'admin@sandbox.exo.localhost',
  password: 'Sandbox-Demo-Pa55!',
});

export type SandboxPersonaId = 'admin' | 'norps' | 'federated' | 'mfa' | 'expiring' | 'dropped' | 'viewonly';

export interface SandboxPersona {
  readonly id: SandboxPersonaId;
  readonly userPrincipalName: string;
  /** What connecting as this account does. */
  readonly behavior: string;
}

/**
 * The fixed accounts of every sandbox tenant, all with SANDBOX_DEMO_CREDENTIAL's password. Each reproduces one
 * documented failure with the real service's text, or a reduced role set (see the package README for the exact
 * texts).
 */
export const SANDBOX_PERSONAS: Readonly<Record<SandboxPersonaId, SandboxPersona>> = Object.freeze({
  admin: {
    id: 'admin',
    userPrincipalName: 'admin@sandbox.exo.localhost',
    behavior: 'Connects normally (the demo administrator).',
  },
  norps: {
    id: 'norps',
    userPrincipalName: 'norps@sandbox.exo.localhost',
    behavior:
      'Not enabled for remote PowerShell: Access is denied, with RemotePowerShellEnabled in the inner error.',
  },
  federated: {
    id: 'federated',
    userPrincipalName: 'federated@federated.sandbox.exo.localhost',
    behavior:
      'Federated domain whose identity provider cannot be reached: "Federated service at … returned error".',
  },
  mfa: {
    id: 'mfa',
    userPrincipalName: 'mfa@sandbox.exo.localhost',
    behavior:
      'Needs MFA: Basic auth gets Access is denied; Connect-ExchangeOnline -Credential gets AADSTS50076.',
  },
  expiring: {
    id: 'expiring',
    userPrincipalName: 'expiring@sandbox.exo.localhost',
    behavior:
      'Sessions expire after 30 seconds: the next command fails with InvalidShellID, the runspace breaks.',
  },
  dropped: {
    id: 'dropped',
    userPrincipalName: 'dropped@sandbox.exo.localhost',
    behavior: "The session's server process dies at the first Exchange cmdlet: the runspace goes Broken.",
  },
  viewonly: {
    id: 'viewonly',
    userPrincipalName: 'viewonly@sandbox.exo.localhost',
    behavior:
      'View-Only Organization Management: sessions and EXOModuleFile offer the Get- cmdlets only; a write over REST is a bare 403.',
  },
});
