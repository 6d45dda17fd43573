import { describe, expect, it } from 'vitest';
import { EndpointError } from './errors/endpoint-error.js';
import { createRegistry } from './registry.js';
import { withConnectionUri } from './with-connection-uri.js';

const registry = createRegistry();
const onPremises = registry.get('exchange-server');

function thrown(fn: () => unknown): EndpointError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EndpointError) return error;
    throw error;
  }
  throw new Error('expected an EndpointError');
}

describe('withConnectionUri', () => {
  it.each([
    'http://exchange01.contoso.local/PowerShell/',
    'https://mail.contoso.com/PowerShell/',
    '  http://10.0.0.5/PowerShell/ ',
  ])('puts %j on exchange-server and keeps Kerberos without redirection', (uri) => {
    const env = withConnectionUri(onPremises, uri);
    expect(env.rps).toEqual({
      connectionUri: uri.trim(),
      authentication: 'Kerberos',
      allowRedirection: false,
      status: { state: 'active' },
    });
    expect(env.rps?.requiresUserUri).toBeUndefined();
    expect(Object.isFrozen(env)).toBe(true);
  });

  it('leaves the registered environment alone', () => {
    withConnectionUri(onPremises, 'http://exchange01.contoso.local/PowerShell/');
    expect(registry.get('exchange-server').rps?.requiresUserUri).toBe(true);
  });

  it('can switch to Negotiate', () => {
    const env = withConnectionUri(onPremises, 'http://exchange01/PowerShell/', {
      authentication: 'Negotiate',
    });
    expect(env.rps?.authentication).toBe('Negotiate');
  });

  it.each([
    ['exchange01/PowerShell/', 'not a valid absolute URI'],
    ['', 'not a valid absolute URI'],
    ['ftp://exchange01.contoso.local/PowerShell/', 'http or https'],
    ['https://admin:pw@exchange01.contoso.local/PowerShell/', 'user name or password'],
    ['https://outlook.office365.com/powershell-liveid/', 'is an Exchange Online endpoint'],
  ])('refuses %j for exchange-server at connectionUri', (uri, message) => {
    const error = thrown(() => withConnectionUri(onPremises, uri));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('\n  connectionUri: ');
    expect(error.message).toContain(message);
    expect(error.details.issues).toEqual([
      { path: 'connectionUri', message: expect.stringContaining(message) },
    ]);
  });

  it('refuses Basic over plain http, via the schema', () => {
    const error = thrown(() =>
      withConnectionUri(onPremises, 'http://exchange01/PowerShell/', { authentication: 'Basic' }),
    );
    expect(error.message).toContain('rps.authentication: Basic authentication over plain http');
  });

  it('refuses plain http to Exchange Online for a cloud environment', () => {
    const error = thrown(() =>
      withConnectionUri(registry.get('worldwide'), 'http://outlook.office365.com/powershell-liveid/'),
    );
    expect(error.message).toContain('Exchange Online accepts only https');
  });

  it('refuses an environment without an RPS endpoint', () => {
    const moduleOnly = createRegistry({ environments: [] }).define({
      id: 'module-only',
      displayName: 'Module only',
      defaultStrategy: 'module',
      module: { exchangeEnvironmentName: 'O365Default' },
      documentation: 'https://example.com/',
    });
    expect(
      thrown(() => withConnectionUri(moduleOnly, 'https://mail.contoso.com/PowerShell/')).message,
    ).toContain('has no remote PowerShell (rps) endpoint');
  });
});
