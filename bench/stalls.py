#!/usr/bin/env python3
"""Where a load run's slow requests come from: together (a stall, then a burst drained) or spread
out (steady queueing).

    LOADGEN_DUMP=/tmp/gw.txt target/release/loadgen --url ... --rate 5000 ...
    python3 bench/stalls.py /tmp/gw.txt [--over 1.0] [--gap 5]

Reads loadgen's dump (`sent_ms latency_ms` per request), prints the p99, how many requests took
longer than --over ms, and the largest groups of them (slow requests sent less than --gap ms
apart), with when each group started and its slowest request. On this machine the groups of the
floor, the hop and the gateway alike recur about once a second (the sandbox's agent, nice -10,
runs for 5–10 ms then); see docs/benchmarks.md.
"""

import argparse


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dumps", nargs="+")
    ap.add_argument("--over", type=float, default=1.0, help="a slow request takes longer (ms)")
    ap.add_argument("--gap", type=float, default=5.0, help="slow requests this close are one group (ms)")
    ap.add_argument("--top", type=int, default=8)
    args = ap.parse_args()
    for path in args.dumps:
        with open(path) as f:
            reqs = sorted(tuple(map(float, line.split())) for line in f if line.strip())
        if not reqs:
            print(f"{path}: empty")
            continue
        lat = sorted(l for _, l in reqs)
        p99 = lat[min(len(lat) - 1, round((len(lat) - 1) * 0.99))]
        slow = [(t, l) for t, l in reqs if l > args.over]
        groups = []  # [first sent, last sent, count, slowest]
        for t, l in slow:
            if groups and t - groups[-1][1] < args.gap:
                g = groups[-1]
                g[1], g[2], g[3] = t, g[2] + 1, max(g[3], l)
            else:
                groups.append([t, t, 1, l])
        in_top = sorted(groups, key=lambda g: -g[2])[: args.top]
        print(f"{path}: {len(reqs)} requests, p99 {p99:.2f} ms, {len(slow)} over {args.over} ms "
              f"in {len(groups)} groups")
        for g in sorted(in_top):
            print(f"  sent {g[0]:9.1f} – {g[1]:9.1f} ms: {g[2]:4d} slow, slowest {g[3]:.2f} ms")


if __name__ == "__main__":
    main()
