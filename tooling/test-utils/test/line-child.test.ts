import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLineChild } from '../src/line-child.js';
import { withTempDir } from '../src/temp-dir.js';

// Prints its lines, then waits for a signal ("wait") or exits at once ("exit").
const CHILD = `
const say = (line) => process.stdout.write(JSON.stringify(line) + '\\n');
say({ n: 1 });
say({ n: 2 });
if (process.argv[2] === 'wait') setInterval(() => {}, 1000);
`;

const withChild = <T>(fn: (script: string) => Promise<T>) =>
  withTempDir(async (dir) => {
    const script = join(dir, 'child.mjs');
    await writeFile(script, CHILD);
    return fn(script);
  });

describe('startLineChild', () => {
  it('resolves with the first matching line, also one that came before the call', async () => {
    await withChild(async (script) => {
      const seen: number[] = [];
      const child = startLineChild<{ n: number }>(script, ['wait'], { onLine: (l) => seen.push(l.n) });
      expect(await child.waitFor((l) => l.n === 2)).toEqual({ n: 2 });
      expect(await child.waitFor((l) => l.n === 1)).toEqual({ n: 1 });
      expect(seen).toEqual([1, 2]);
      child.process.kill('SIGTERM');
      expect(await child.exit).toEqual({ code: null, signal: 'SIGTERM' });
    });
  });

  it('rejects as soon as the child exits without a matching line', async () => {
    await withChild(async (script) => {
      const child = startLineChild<{ n: number }>(script, ['exit']);
      await expect(child.waitFor((l) => l.n === 3)).rejects.toThrow(/exited without a matching line/);
      expect(await child.exit).toEqual({ code: 0, signal: null });
      expect(child.lines).toEqual([{ n: 1 }, { n: 2 }]);
    });
  });
});
