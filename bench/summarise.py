"""Turns the RESULT lines of bench/proxy-overhead into a table and the two target ratios."""
import re
import sys

rows = {}
for line in sys.stdin:
    parts = line.split()
    if len(parts) < 3:
        continue
    kv = dict(re.findall(r"(\w+)=([\d.]+)", line))
    rows[(parts[0], parts[1])] = {k: float(v) for k, v in kv.items()}

print()
print(
    "| connections | target | p50 ms | p99 ms | req/s | added p50 ms | added p99 ms | errors "
    "| CPU µs per request |"
)
print("|---|---|---|---|---|---|---|---|---|")
for c in ("c=1", "c=32"):
    direct = rows[("direct", c)]
    for name in ("direct", "nginx", "jdk-bare", "serve"):
        if (name, c) not in rows:
            continue
        r = rows[(name, c)]
        errors = int(r["non2xx"] + r["socket_errors"])
        # direct's CPU is the upstream's own; every other row's is the proxy process's alone
        cpu = f"{r['cpu_us']:.1f}" if "cpu_us" in r else ""
        print(
            f"| {c[2:]} | {name} | {r['p50_us'] / 1000:.3f} | {r['p99_us'] / 1000:.3f} | {r['rps']:.0f} | "
            f"{(r['p50_us'] - direct['p50_us']) / 1000:.3f} | {(r['p99_us'] - direct['p99_us']) / 1000:.3f} | {errors} "
            f"| {cpu} |"
        )
serve, nginx = rows[("serve", "c=32")], rows[("nginx", "c=32")]
added = (rows[("serve", "c=1")]["p50_us"] - rows[("direct", "c=1")]["p50_us"]) / 1000
print()
print(f"serve throughput at 32 connections: {serve['rps'] / nginx['rps']:.2f} x nginx (target >= 0.50)")
print(f"serve added p50 at 1 connection: {added:.3f} ms (target <= 0.300 ms)")
if ("jdk-bare", "c=32") in rows:
    bare = rows[("jdk-bare", "c=32")]
    bare_added = (rows[("jdk-bare", "c=1")]["p50_us"] - rows[("direct", "c=1")]["p50_us"]) / 1000
    print(
        f"jdk-bare (JDK server + JDK HttpClient, no proxy logic): {bare['rps'] / nginx['rps']:.2f} x nginx, "
        f"adds {bare_added:.3f} ms at p50; serve keeps {serve['rps'] / bare['rps']:.2f} of its throughput"
    )
