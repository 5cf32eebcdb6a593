import { accessSync, constants } from 'node:fs';
import type { Availability } from './describe-requiring.js';

/**
 * Debian's `chromium` package (apt-get install chromium), which playwright-core drives: no
 * browser is ever downloaded. GRAPHTRACE_CHROMIUM points elsewhere when needed.
 */
export const CHROMIUM_PATH = process.env.GRAPHTRACE_CHROMIUM ?? '/usr/bin/chromium';

/** Headless in a container: no sandbox, GPU, background traffic or /dev/shm. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export function chromiumAvailability(): Availability {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return { ok: true };
  } catch {
    return {
      ok: false,
      reason: `no Chromium at ${CHROMIUM_PATH}: install Debian's package (apt-get install chromium) or set GRAPHTRACE_CHROMIUM`,
    };
  }
}
