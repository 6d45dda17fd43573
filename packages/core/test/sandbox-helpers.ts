import * as sandbox from '@exo-connect/sandbox';
import { createTestTenant, type TestTenant as Tenant } from '@exo-connect/test-utils';
import type { ConnectOptions } from '../src/connect/options.js';

export type TestTenant = Tenant<typeof sandbox, ConnectOptions>;

/** A fresh sandbox tenant for connect() (the harness lives in @exo-connect/test-utils). */
export const testTenant = (mailboxCount = 30): Promise<TestTenant> =>
  createTestTenant<typeof sandbox, ConnectOptions>(sandbox, { mailboxCount, prefix: 'exo-core-tenant-' });
