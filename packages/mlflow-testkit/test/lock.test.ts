import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withFileLock } from '../src/lock.js';

describe('withFileLock', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'testkit-lock-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serialises concurrent holders and removes the lock afterwards', async () => {
    const lock = join(dir, 'a.lock');
    const events: string[] = [];
    const holder = (name: string) =>
      withFileLock(lock, async () => {
        events.push(`${name}:in`);
        await sleep(50);
        events.push(`${name}:out`);
      });
    await Promise.all([holder('a'), holder('b'), holder('c')]);
    for (let i = 0; i < events.length; i += 2) {
      expect(events[i]!.split(':')[0]).toBe(events[i + 1]!.split(':')[0]);
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes over a lock whose owner process is dead', async () => {
    const lock = join(dir, 'b.lock');
    // pid 2^22+1 is above Linux's pid_max default, so no live process has it.
    await writeFile(
      lock,
      JSON.stringify({
        pid: 4194305,
        host: (await import('node:os')).hostname(),
        token: 't',
        since: '',
      }),
    );
    await expect(withFileLock(lock, async () => 'got it', { timeoutMs: 5_000 })).resolves.toBe(
      'got it',
    );
  });

  it('times out with an actionable error when a live process holds the lock', async () => {
    const lock = join(dir, 'c.lock');
    await writeFile(
      lock,
      JSON.stringify({
        pid: process.pid,
        host: (await import('node:os')).hostname(),
        token: 'other',
        since: '',
      }),
    );
    await expect(withFileLock(lock, async () => 1, { timeoutMs: 600 })).rejects.toMatchObject({
      code: 'MLFLOW_LOCK_TIMEOUT',
      message: expect.stringContaining('delete that file'),
    });
    await rm(lock);
  });
});
