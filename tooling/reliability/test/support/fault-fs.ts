/**
 * Filesystem faults for a sandbox tenant directory: a full disk and read-only directories, made as faithfully
 * as this machine allows. As root (where chmod does not stop anyone) with mount rights, a full disk is a tiny
 * tmpfs filled to the last byte (ENOSPC) and a read-only directory is a read-only bind mount (EROFS). Without
 * mount rights, a read-only directory is made with chmod (EACCES), and a full disk cannot be made at all.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, cp, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from '@exo-connect/test-utils';

const run = promisify(execFile);

let mountable: Promise<boolean> | undefined;

/** True when this process may mount filesystems (root on Linux with CAP_SYS_ADMIN). */
export function canMount(): Promise<boolean> {
  mountable ??= (async () => {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
    const dir = await makeTempDir('exo-rel-mount-probe-');
    try {
      await run('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
      await run('umount', [dir]);
      return true;
    } catch {
      return false;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  return mountable;
}

/** How a read-only directory is made here: a read-only bind mount (root) or chmod (anyone else). */
export async function readOnlyMechanism(): Promise<'bind-mount' | 'chmod'> {
  return (await canMount()) ? 'bind-mount' : 'chmod';
}

async function walk(dir: string, visit: (path: string, isDir: boolean) => Promise<void>): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      await walk(path, visit);
      await visit(path, true);
    } else if (entry.isFile()) await visit(path, false);
  }
}

/**
 * Makes `dir` read-only, recursively; returns the function that undoes it. With mount rights this is a
 * read-only bind mount of the directory over itself, which refuses every write with EROFS, even root's.
 */
export async function makeReadOnly(dir: string): Promise<() => Promise<void>> {
  if (await canMount()) {
    await run('mount', ['--bind', dir, dir]);
    try {
      await run('mount', ['-o', 'remount,bind,ro', dir]);
    } catch (error) {
      await run('umount', [dir]);
      throw error;
    }
    return async () => {
      await run('umount', [dir]);
    };
  }
  const modes: Array<[string, number]> = [];
  const lock = async (path: string, isDir: boolean) => {
    const { mode } = await stat(path);
    modes.push([path, mode & 0o7777]);
    await chmod(path, isDir ? 0o555 : 0o444);
  };
  await walk(dir, lock);
  await lock(dir, true);
  return async () => {
    for (const [path, mode] of modes.reverse()) await chmod(path, mode);
  };
}

export interface FullDisk {
  /** The tenant's copy on the small filesystem. */
  directory: string;
  /** Bytes still free (0 once full). */
  free(): Promise<number>;
  /** Fills every remaining byte with a filler file. */
  fill(): Promise<void>;
  /** Deletes the filler, so writes succeed again. */
  drain(): Promise<void>;
  /** Unmounts and removes everything. */
  remove(): Promise<void>;
}

/**
 * Copies the tenant at `source` onto its own small tmpfs, so that filling that filesystem gives the
 * sandbox's writers the real ENOSPC. Needs mount rights (see canMount()).
 */
export async function fullDiskCopy(source: string, sizeBytes = 48 * 1024 * 1024): Promise<FullDisk> {
  const directory = await makeTempDir('exo-rel-full-');
  await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'tmpfs', directory]);
  const filler = join(directory, '.filler');
  const free = async () => {
    const { stdout } = await run('df', ['--output=avail', '-B1', directory]);
    return Number(stdout.trim().split('\n').pop());
  };
  try {
    await cp(source, directory, { recursive: true });
  } catch (error) {
    await run('umount', [directory]);
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  return {
    directory,
    free,
    async fill() {
      const handle = await open(filler, 'a');
      const chunk = Buffer.alloc(1024 * 1024);
      try {
        // Down to single bytes, so not even a small session file fits.
        for (let size = chunk.length; size >= 1; size = Math.floor(size / 2)) {
          while (true) {
            try {
              await handle.write(chunk, 0, size);
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw error;
            }
          }
        }
      } finally {
        await handle.close();
      }
    },
    async drain() {
      await rm(filler, { force: true });
    },
    async remove() {
      await run('umount', [directory]).catch(() => undefined);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * A digest of the tenant's data: the manifest and every file under recipients/ (names and bytes). Equal
 * digests mean not one byte of the data changed, and no stray file was left beside it.
 */
export async function tenantDigest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  hash.update(await readFile(join(dir, 'tenant.json')));
  const shards = (await readdir(join(dir, 'recipients'))).sort();
  for (const name of shards) {
    hash.update(`\0${name}\0`);
    hash.update(await readFile(join(dir, 'recipients', name)));
  }
  return hash.digest('hex');
}
