import { randomUUID } from 'node:crypto';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { MlflowTestkitError } from './errors.js';
import { isAlive } from './process.js';

interface LockOwner {
  pid: number;
  host: string;
  token: string;
  since: string;
}

export interface LockOptions {
  /** Give up after this long (a pip install can legitimately take minutes). */
  timeoutMs?: number;
  /** Called once when we start waiting for another process. */
  onWait?: (owner: string) => void;
}

/**
 * A cross-process lock on `path`, created with O_EXCL so exactly one process wins.
 * A lock left by a process that died (same host, pid gone) is taken over, so a killed
 * test run does not wedge every later one.
 */
export async function withFileLock<T>(
  path: string,
  fn: () => Promise<T>,
  opts: LockOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 20 * 60_000;
  const me: LockOwner = {
    pid: process.pid,
    host: hostname(),
    token: randomUUID(),
    since: new Date().toISOString(),
  };
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    if (await tryCreate(path, me)) break;
    const owner = await readOwner(path);
    const dead = owner
      ? owner.host === me.host && !isAlive(owner.pid)
      : await olderThan(path, 30_000); // an empty lock file: its creator died mid-write
    if (dead) {
      // Move the dead owner's file aside atomically: of two waiters only one rename succeeds.
      const aside = `${path}.stale-${me.token}`;
      try {
        await rename(path, aside);
        const moved = await readOwner(aside);
        await rm(aside, { force: true });
        if (moved && moved.token !== owner?.token) {
          // We moved a fresh lock that a faster waiter had just taken; give it back.
          await tryCreate(path, moved);
        }
      } catch {
        // someone else cleaned it up first
      }
      continue;
    }
    if (!announced) {
      announced = true;
      opts.onWait?.(owner ? `pid ${owner.pid} on ${owner.host} since ${owner.since}` : 'unknown');
    }
    if (Date.now() > deadline) {
      throw new MlflowTestkitError(
        'MLFLOW_LOCK_TIMEOUT',
        `Timed out after ${Math.round(timeoutMs / 1000)} s waiting for the lock ${path} ` +
          `(held by ${owner ? `pid ${owner.pid}` : 'an unknown process'}). If no other test run ` +
          'is building the MLflow virtualenv, delete that file and retry.',
      );
    }
    await sleep(500);
  }
  try {
    return await fn();
  } finally {
    const owner = await readOwner(path);
    if (owner?.token === me.token) await rm(path, { force: true });
  }
}

async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  try {
    const fh = await open(path, 'wx');
    try {
      await fh.writeFile(JSON.stringify(owner));
    } finally {
      await fh.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockOwner;
  } catch {
    // Missing, or caught between open() and write(): treat as unknown, not as dead.
    return undefined;
  }
}

async function olderThan(path: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs > ms;
  } catch {
    return false;
  }
}
