import { isIP } from 'node:net';

/** A loopback name or address: localhost, *.localhost, 127.0.0.0/8, ::1. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1';
  return false;
}

/**
 * Whether a request may be answered. A dashboard bound to loopback answers only requests
 * addressed to a loopback name: a web page elsewhere that re-points its own domain name at
 * 127.0.0.1 (DNS rebinding) would otherwise read the traces through the user's browser.
 * A cross-site `Origin` is refused for the same reason. Exposed with --host, any Host is fine.
 */
export function requestAllowed(
  request: Request,
  mode: 'loopback' | 'any',
): { ok: true } | { ok: false; why: string } {
  if (mode === 'any') return { ok: true };
  const url = new URL(request.url);
  if (!isLoopbackHost(url.hostname))
    return { ok: false, why: `host ${url.hostname} is not a loopback name` };
  const origin = request.headers.get('origin');
  if (origin !== null) {
    // `null` (sandboxed frames, files) is never this app's own origin.
    let originHost: string;
    try {
      originHost = new URL(origin).hostname;
    } catch {
      return { ok: false, why: `origin ${origin} is not this dashboard` };
    }
    if (!isLoopbackHost(originHost)) return { ok: false, why: `origin ${origin} is another site` };
  }
  return { ok: true };
}
