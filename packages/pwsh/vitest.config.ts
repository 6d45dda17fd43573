import { createVitestConfig } from '@exo-connect/vitest-config';

export default createVitestConfig();
