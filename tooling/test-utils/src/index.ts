export { makeTempDir, withTempDir } from './temp-dir.js';
export { testPwsh } from './test-pwsh.js';
