import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withTempDir } from './temp-dir.js';

describe('withTempDir', () => {
  it('removes the directory and its files after the callback', async () => {
    const seen = await withTempDir(async (dir) => {
      await writeFile(join(dir, 'f.txt'), 'x');
      return dir;
    });
    expect(existsSync(seen)).toBe(false);
  });

  it('removes the directory when the callback throws', async () => {
    let seen = '';
    await expect(
      withTempDir(async (dir) => {
        seen = dir;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(seen).not.toBe('');
    expect(existsSync(seen)).toBe(false);
  });
});
