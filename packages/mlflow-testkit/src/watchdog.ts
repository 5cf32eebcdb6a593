/**
 * A small Python supervisor every long-lived MLflow process runs under. It starts the command
 * as its child and, when asked to stop (SIGTERM), when the command exits, or when our Node
 * process disappears (its stdin pipe reaches EOF), terminates the whole process group and
 * reaps it. It registers as a child subreaper so that uvicorn, orphaned when the `mlflow` CLI
 * dies first, is reaped too: on machines whose PID 1 never reaps, orphans would otherwise
 * stay behind as zombies.
 */
export const WATCHDOG_PY = `
import ctypes, os, signal, subprocess, sys, threading, time
try:
    ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
except Exception:
    pass
done = threading.Event()
child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL)
def watch_stdin():
    try:
        while sys.stdin.buffer.read(1024):
            pass
    except Exception:
        pass
    done.set()
def watch_child():
    child.wait()
    done.set()
threading.Thread(target=watch_stdin, daemon=True).start()
threading.Thread(target=watch_child, daemon=True).start()
signal.signal(signal.SIGTERM, lambda *_: done.set())
signal.signal(signal.SIGINT, lambda *_: done.set())
while not done.wait(0.5):
    pass
code = child.poll()
signal.signal(signal.SIGTERM, signal.SIG_IGN)
os.killpg(0, signal.SIGTERM)
deadline = time.monotonic() + 10
while True:
    try:
        pid, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        break
    if pid == 0:
        if time.monotonic() > deadline:
            os.killpg(0, signal.SIGKILL)
        time.sleep(0.05)
os._exit(code if isinstance(code, int) and code >= 0 else 0)
`;
