import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withTempDir } from '@exo-connect/test-utils';
import { describe, expect, it } from 'vitest';
import { list, loadResult, loadResults, num, numbers, obj, text } from './results.js';

describe('loadResult', () => {
  it('tells a missing file from an unreadable one from a good one', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'faults.json'), '{"cases":[]}');
      await writeFile(join(dir, 'load.json'), '{"cases":');
      await mkdir(join(dir, 'soak.json'));
      expect(await loadResult(dir, 'faults')).toMatchObject({ status: 'ok', data: { cases: [] } });
      expect(await loadResult(dir, 'secrets')).toMatchObject({ status: 'missing' });
      expect(await loadResult(dir, 'load')).toMatchObject({
        status: 'unreadable',
        error: expect.stringContaining('not JSON'),
      });
      expect(await loadResult(dir, 'soak')).toMatchObject({ status: 'unreadable' });
      const all = await loadResults(dir);
      expect(Object.keys(all)).toEqual([
        'injection',
        'secrets',
        'faults',
        'load',
        'load-rest',
        'soak',
        'soak-rest',
        'bad-input',
      ]);
    });
  });
});

describe('readers', () => {
  it('read untrusted JSON without throwing', () => {
    expect(obj([1])).toEqual({});
    expect(obj(null)).toEqual({});
    expect(list({})).toEqual([]);
    expect(list([{ a: 1 }, 2])).toEqual([{ a: 1 }, {}]);
    expect(num('3')).toBeUndefined();
    expect(num(Number.NaN)).toBeUndefined();
    expect(text(true)).toBe('true');
    expect(text({})).toBeUndefined();
    expect(numbers([1, 'x', null, 2.5])).toEqual([1, 2.5]);
  });
});
