import { describe, expect, it } from 'vitest';
import type { CallerIdentity } from '../contracts.js';
import { allowedCmdlets, callerRole, mayInvoke, VIEW_ONLY_PERSONA } from './roles.js';

const tenantId = '8c2d5e1a-0000-4000-8000-000000000001';
const cmdlets = ['Get-Mailbox', 'Set-Mailbox', 'get-user', 'New-Mailbox'];

const delegated = (upn: string, scopes = ['Exchange.Manage']): CallerIdentity => ({
  tenantId,
  userPrincipalName: upn,
  scopes,
  roles: [],
});
const app = (roles: string[]): CallerIdentity => ({ tenantId, appId: 'app', scopes: [], roles });

describe('roles', () => {
  it('gives a delegated admin with Exchange.Manage every cmdlet', () => {
    const admin = delegated('admin@sandbox.exo.localhost');
    expect(callerRole(admin)).toBe('Organization Management');
    expect(allowedCmdlets(admin, cmdlets)).toEqual(cmdlets);
  });

  it('gives the view-only persona the Get-* cmdlets only, in any case', () => {
    const viewer = delegated(VIEW_ONLY_PERSONA.toUpperCase());
    expect(callerRole(viewer)).toBe('View-Only Organization Management');
    expect(allowedCmdlets(viewer, cmdlets)).toEqual(['Get-Mailbox', 'get-user']);
    expect(mayInvoke(viewer, 'Set-Mailbox')).toBe(false);
  });

  it('gives an app with Exchange.ManageAsApp every cmdlet', () => {
    expect(allowedCmdlets(app(['exchange.manageasapp']), cmdlets)).toEqual(cmdlets);
  });

  it('gives nothing to a token without the Exchange permission', () => {
    expect(callerRole(delegated('admin@sandbox.exo.localhost', ['User.Read']))).toBe('None');
    expect(allowedCmdlets(app([]), cmdlets)).toEqual([]);
    expect(mayInvoke(app(['Mail.Read']), 'Get-Mailbox')).toBe(false);
  });
});
