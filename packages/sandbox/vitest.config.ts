import { createVitestConfig } from '@exo-connect/vitest-config';

// Its integration tests open many sessions each (a pwsh per client, one per server): on a busy machine one
// can take minutes, so their backstop is longer than the default.
export default createVitestConfig({ integrationTimeout: 600_000 });
