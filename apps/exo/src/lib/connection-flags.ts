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
    description: 'Read the password from standard input (like docker login --password-stdin).',
    helpGroup: 'CONNECTION',
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
