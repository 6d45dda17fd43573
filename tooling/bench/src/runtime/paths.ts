import { fileURLToPath } from 'node:url';

const at = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

/** This package's root (dist/runtime/ → ../../), so the paths hold from dist/ and from src/ alike. */
export const BENCH_DIR = at('../../');
export const REPO_DIR = at('../../../../');
export const RESULTS_DIR = at('../../results/');
export const BENCH_MODULE_PATH = at('../../powershell/ExoBench/ExoBench.psm1');
export const RAW_CONNECT_SCRIPT = at('../../powershell/raw-connect.ps1');
export const FLOOR_CONNECT_SCRIPT = at('../../powershell/floor-connect.ps1');
export const FLOOR_WARM_SCRIPT = at('../../powershell/floor-warm.ps1');
/** The exo CLI, through this package's dependency on @exo-connect/exo (apps/exo). */
export const EXO_BIN = at('../../node_modules/@exo-connect/exo/bin/run.js');
/** The sandbox REST server's process of scenarios 7–11 (compiled next to this file). */
export const REST_SERVER_CHILD = at('./rest-server-child.js');
