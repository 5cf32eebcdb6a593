import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { describeInterop } from '../src/index.js';
import { WATCHDOG_PY } from '../src/watchdog.js';

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(100);
  }
  return cond();
}

describeInterop('the server watchdog', ({ venv }) => {
  it('takes the whole group down when the Node process that started it dies', async () => {
    // An intermediate Node process starts the watchdog (as startMlflowServer does) over a shell
    // whose background child would become an orphan, prints the group id, then is SIGKILLed.
    const starter = `
      const { spawn } = require('node:child_process');
      const c = spawn(process.env.PY, ['-c', process.env.WATCHDOG, 'sh', '-c', 'sleep 300 & sleep 300'],
        { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
      console.log(c.pid);
      setInterval(() => {}, 1000);
    `;
    const node = spawn(process.execPath, ['-e', starter], {
      env: { ...process.env, PY: venv.python, WATCHDOG: WATCHDOG_PY },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pgid = await new Promise<number>((resolve) => {
      node.stdout.setEncoding('utf8').once('data', (d: string) => resolve(Number(d.trim())));
    });
    expect(await waitFor(() => groupAlive(pgid), 5_000)).toBe(true);
    await sleep(500);
    node.kill('SIGKILL');
    // Gone entirely: no live process and no zombie left in the group.
    expect(await waitFor(() => !groupAlive(pgid), 15_000)).toBe(true);
  });
});
