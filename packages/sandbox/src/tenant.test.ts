import { describe, expect, it } from 'vitest';
import { SandboxError } from './errors/sandbox-error.js';
import { configureTenant, createTenant } from './tenant.js';

// A pwsh that does not exist: the options are refused before any process would start.
const pwsh = '/nonexistent/pwsh';

describe('tenant options', () => {
  it.each([
    ['mailboxCount', { mailboxCount: 100_001 }],
    ['mailboxCount', { mailboxCount: -1 }],
    ['mailboxCount', { mailboxCount: 1.5 }],
    ['sessionLimit', { sessionLimit: 0 }],
    ['sessionLifetimeSeconds', { sessionLifetimeSeconds: 0 }],
  ])('refuses a bad %s before starting pwsh', async (option, bad) => {
    const error = await createTenant({ directory: '/tmp/unused', pwsh, ...bad }).catch((e: unknown) => e);
    expect(SandboxError.is(error, 'INVALID_OPTION')).toBe(true);
    expect((error as SandboxError).details).toMatchObject({ option });
  });

  it('checks configureTenant options the same way', async () => {
    const error = await configureTenant({ directory: '/tmp/unused', pwsh, sessionLimit: 1001 }).catch(
      (e: unknown) => e,
    );
    expect(SandboxError.is(error, 'INVALID_OPTION')).toBe(true);
    for (const commandLatencyMs of [-1, 60_001, 2.5]) {
      const bad = await configureTenant({ directory: '/tmp/unused', pwsh, commandLatencyMs }).catch(
        (e: unknown) => e,
      );
      expect((bad as SandboxError).details).toMatchObject({ option: 'commandLatencyMs' });
    }
  });

  it('reports a pwsh that cannot start as PWSH_NOT_FOUND', async () => {
    const error = await createTenant({ directory: '/tmp/unused', pwsh, mailboxCount: 1 }).catch(
      (e: unknown) => e,
    );
    expect(SandboxError.is(error, 'PWSH_NOT_FOUND')).toBe(true);
  });

  it('refuses to start when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await createTenant({ directory: '/tmp/unused', pwsh, signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect(SandboxError.is(error, 'ABORTED')).toBe(true);
  });
});
