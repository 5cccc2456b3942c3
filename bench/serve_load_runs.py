"""Sums up RUNS=N runs of bench/serve-load: for each stream count, serve's first-byte p99 behind
nginx's in each run, their median and how many were within 1 s, serve's CPU and errors.

One run on two shared cores says little: nginx's own p99 moves by seconds from run to run, and a
single run of serve is within 1 s of it or not by chance. The median of several fresh runs, each
side by side with nginx, is the figure to judge by."""
import re
import statistics
import sys

runs = []  # one dict per run: {(target, streams): {field: value}}
for line in sys.stdin:
    if line.startswith("## run "):
        runs.append({})
        continue
    m = re.match(r"RESULT (\S+) streams=(\d+) (.*)", line)
    if m and runs:
        fields = dict(re.findall(r"(\w+)=([\d.]+)", m.group(3)))
        runs[-1][(m.group(1), int(m.group(2)))] = {k: float(v) for k, v in fields.items()}
    m = re.match(r"CPU for (\d+) streams: nginx ([\d.]+) s, serve ([\d.]+) s", line)
    if m and runs:
        runs[-1][("cpu", int(m.group(1)))] = {"nginx": float(m.group(2)), "serve": float(m.group(3))}

counts = sorted({n for run in runs for (target, n) in run if target == "serve"})
print()
print(f"# {len(runs)} runs, each in fresh processes")
print("| streams | serve's p99 behind nginx's, each run (s) | median | within 1 s | serve CPU median (s) | serve errors |")
print("|---|---|---|---|---|---|")
for n in counts:
    both = [run for run in runs if ("serve", n) in run and ("nginx", n) in run]
    behind = [(run[("serve", n)]["first_byte_p99_ms"] - run[("nginx", n)]["first_byte_p99_ms"]) / 1000 for run in both]
    cpu = [run[("cpu", n)]["serve"] for run in both if ("cpu", n) in run]
    errors = sum(int(run[("serve", n)].get("errors", 0)) for run in both)
    if not behind:
        continue
    each = ", ".join(f"{b:.2f}" for b in behind)
    within = sum(b <= 1.0 for b in behind)
    cpu_median = f"{statistics.median(cpu):.2f}" if cpu else ""
    print(f"| {n} | {each} | {statistics.median(behind):.2f} | {within} of {len(behind)} | {cpu_median} | {errors} |")
