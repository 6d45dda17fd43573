import { Flags } from '@oclif/core';

/** The flags every command that connects shares (DESIGN.md §7). */
export const connectionFlags = {
  environment: Flags.string({
    char: 'e',
    description: 'Environment id or alias (worldwide, gcc-high, dod, china, eop, exchange-server, sandbox…).',
    helpGroup: 'CONNECTION',
  }),
  user: Flags.string({
    char: 'u',
    description: 'User principal name to sign in as.',
    helpGroup: 'CONNECTION',
  }),
  strategy: Flags.string({
    description:
      "How to connect: 'rest' (the module's own REST admin API, from Node: no PowerShell), 'module' (Connect-ExchangeOnline) or 'rps' (remote PowerShell).",
    options: ['rest', 'module', 'rps'],
    helpGroup: 'CONNECTION',
  }),
  'password-stdin': Flags.boolean({
    description:
      "Read the secret from standard input (like docker login --password-stdin): the user's password, an app's client secret, or a certificate file's password.",
    helpGroup: 'CONNECTION',
  }),
  'app-id': Flags.string({
    description:
      'Sign in app-only as this app (client id): with --certificate-file/--certificate-thumbprint, else with a client secret (rest only; read like a password).',
    helpGroup: 'SIGN-IN',
  }),
  organization: Flags.string({
    description:
      'The tenant of an app-only or managed-identity sign-in (contoso.onmicrosoft.com or its GUID).',
    helpGroup: 'SIGN-IN',
  }),
  'certificate-file': Flags.string({
    description:
      "The app's certificate with its key: a .pfx or PEM file (its password with --password-stdin).",
    helpGroup: 'SIGN-IN',
  }),
  'certificate-thumbprint': Flags.string({
    description: "The app's certificate in the current user's My store, by its SHA-1 thumbprint.",
    helpGroup: 'SIGN-IN',
  }),
  'device-code': Flags.boolean({
    description:
      'Sign in with a device code (a code to enter in a browser, on any device) instead of a password.',
    helpGroup: 'SIGN-IN',
  }),
  'token-cache': Flags.boolean({
    description:
      'Remember rest sign-ins in the OS keychain, so the next run signs in silently (--no-token-cache: do not).',
    default: true,
    allowNo: true,
    helpGroup: 'SIGN-IN',
  }),
  'managed-identity': Flags.boolean({
    description: 'Sign in as the managed identity of the Azure resource exo runs on (with --organization).',
    helpGroup: 'SIGN-IN',
  }),
  'connection-uri': Flags.string({
    description: 'Server URI (required for exchange-server, e.g. http://mail.contoso.local/PowerShell/).',
    helpGroup: 'CONNECTION',
  }),
  'proxy-access-type': Flags.string({
    description: 'New-PSSessionOption -ProxyAccessType (IEConfig and WinHttpConfig exist only on Windows).',
    options: ['IEConfig', 'WinHttpConfig', 'AutoDetect', 'NoProxyServer', 'None'],
    helpGroup: 'CONNECTION',
  }),
  proxy: Flags.string({
    description: 'Proxy URL, e.g. http://proxy.contoso.com:8080 (else HTTPS_PROXY).',
    helpGroup: 'CONNECTION',
  }),
  profile: Flags.string({
    char: 'p',
    description: 'Profile to use (see exo profile list).',
    helpGroup: 'CONNECTION',
  }),
};
