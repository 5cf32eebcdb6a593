import { randomBytes } from 'node:crypto';
import { open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `path` with `data` so that readers see the old content or the new, never a part:
 * the data goes to a temporary file in the same directory (same file system, so the rename is
 * atomic), is flushed to disk, then renamed over the target. On any failure (a full disk, a
 * quota) the existing file is left untouched, the temporary file is removed and the error is
 * rethrown. A symlink is followed, so its target is replaced, not the link; an existing file
 * keeps its permission bits.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const target = await realpath(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return path;
    throw err;
  });
  const mode = await stat(target).then(
    (s) => s.mode & 0o7777,
    () => 0o666,
  );
  const dir = dirname(target);
  const tmp = join(
    dir,
    `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  let created = false;
  try {
    const handle = await open(tmp, 'wx', mode);
    created = true;
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
    created = false;
  } catch (err) {
    if (created) await unlink(tmp).catch(() => {});
    throw err;
  }
  await syncDirectory(dir);
}

/** Makes the rename itself durable; best effort, as some systems cannot fsync a directory. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The new content is in place either way.
  }
}
