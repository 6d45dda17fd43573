import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  SANDBOX_EXO_MODULE_PATH,
  SANDBOX_INVOKE_SCRIPT_PATH,
  SANDBOX_MODULE_PATH,
  SANDBOX_POWERSHELL_DIR,
} from './paths.js';

describe('PowerShell paths', () => {
  it('are absolute and point at the files the package ships', () => {
    for (const path of [
      SANDBOX_POWERSHELL_DIR,
      SANDBOX_MODULE_PATH,
      SANDBOX_EXO_MODULE_PATH,
      SANDBOX_INVOKE_SCRIPT_PATH,
    ]) {
      expect(isAbsolute(path)).toBe(true);
      expect(existsSync(path), path).toBe(true);
    }
    expect(existsSync(join(SANDBOX_POWERSHELL_DIR, 'ExoSandbox.Server', 'ExoSandbox.Server.pssc'))).toBe(
      true,
    );
  });
});
