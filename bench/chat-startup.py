#!/usr/bin/env python3
"""Launch-to-prompt time of `novaproxy chat`: starts the launcher on a pseudo-terminal (so jline
sees a real terminal, as a user's shell gives it) and times until the prompt `you> ` is drawn,
then leaves with Ctrl-D. Prints the median and the spread of N runs, as the launcher starts it
(with the class-data archive `mvn package` trains) and, interleaved so that the machine's load
hits both alike, with only the JDK's own archive.

    bench/chat-startup.py [RUNS] [-- extra chat args]
"""
import fcntl, glob, os, pty, select, statistics, struct, subprocess, sys, tempfile, termios, time

here = os.path.dirname(os.path.abspath(__file__))
launcher = os.path.join(here, "..", "dist", "novaproxy")
args = sys.argv[1:]
runs = int(args.pop(0)) if args and args[0].isdigit() else 10
if args and args[0] == "--":
    args = args[1:]
state = tempfile.mkdtemp(prefix="novaproxy-bench-")


def jdk_archive():
    out = subprocess.run(["java", "-XshowSettings:properties", "-version"], capture_output=True, text=True).stderr
    home = [l.split("=", 1)[1].strip() for l in out.splitlines() if l.strip().startswith("java.home =")][0]
    found = glob.glob(os.path.join(home, "lib", "server", "classes*.jsa"))
    return sorted(found)[0] if found else None


def once(java_opts=""):
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["XDG_STATE_HOME"] = state
        os.environ["NOVAPROXY_JAVA_OPTS"] = java_opts
        os.execv(launcher, [launcher, "chat", "--url", "http://127.0.0.1:9"] + args)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    buf = b""
    while b"you> " not in buf:
        r, _, _ = select.select([fd], [], [], 10)
        if not r:
            raise SystemExit("no prompt within 10 s; output so far: %r" % buf)
        try:
            buf += os.read(fd, 4096)
        except OSError:
            raise SystemExit("the chat ended before its prompt: %r" % buf)
    elapsed = time.perf_counter() - start
    os.write(fd, b"\x04")  # Ctrl-D leaves
    os.waitpid(pid, 0)
    os.close(fd)
    return elapsed


base = jdk_archive()
modes = {"launcher (app CDS archive)": ""}
if base:
    modes["JDK's CDS archive only"] = "-XX:SharedArchiveFile=" + base
times = {m: [] for m in modes}
for m, opts in modes.items():
    once(opts)  # warm the page cache
for _ in range(runs):
    for m, opts in modes.items():
        times[m].append(once(opts))
for m, t in times.items():
    t.sort()
    print("chat launch to prompt, %-27s median %.3f s, min %.3f s, max %.3f s over %d runs"
          % (m + ":", statistics.median(t), t[0], t[-1], runs))
print("(load average %.2f on %d cores)" % (os.getloadavg()[0], os.cpu_count()))
