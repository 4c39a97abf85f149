"""Prints the tables of BenchmarkPopulation for BENCHMARKS.md: one per engine and population, then, per
engine, each operation's total CPU per call at every population and the ratio of the largest population's
to the smallest's (the slope: 1.0 is flat). Usage: python3 bench/population.py OUTPUT... (the output of
`go test -bench Population`; a benchmark found in several runs is given as the median of them)."""
import collections
import re
import statistics
import sys

LINE = re.compile(r"^BenchmarkPopulation/(\w+)/users=(\d+)/(\w+?)(?:-\d+)?\s+\d+\s+(.*)$")
OPS = ["Login_anonymous", "Login_email_password", "RefreshSession", "GetProfile", "GetCustomData"]

runs = collections.defaultdict(lambda: collections.defaultdict(list))
for path in sys.argv[1:]:
    for line in open(path):
        m = LINE.match(line.strip())
        if not m:
            continue
        engine, users, op, rest = m.group(1), int(m.group(2)), m.group(3), m.group(4).split()
        for value, unit in zip(rest[0::2], rest[1::2]):
            runs[(engine, users, op)][unit].append(float(value))
if not runs:
    sys.exit("no BenchmarkPopulation results in " + " ".join(sys.argv[1:]))


def metric(key, unit):
    values = runs[key].get(unit)
    return statistics.median(values) if values else None


def fmt(v, digits=3):
    if v is None:
        return "—"
    return f"{v:.{digits}g}" if v < 1000 else f"{v:,.0f}"


def split(key):
    parts = [metric(key, u) for u in ("ferretdb-cpu-ms/op", "goruntime-cpu-ms/op", "own-cpu-ms/op")]
    if None in parts:
        return "—"
    samples = metric(key, "profile-samples")
    return " / ".join(fmt(p) for p in parts) + (f" ({samples:.0f} samples)" if samples is not None else "")


engines = sorted({k[0] for k in runs}, key=lambda e: (e != "sqlite", e))
for engine in engines:
    populations = sorted({k[1] for k in runs if k[0] == engine})
    for users in populations:
        print(f"#### {engine}, {users:,} users\n")
        print("| operation | calls per round | wall ms per call | latency ms | lanyard CPU ms | PostgreSQL CPU ms "
              "(its database's backends) | total CPU ms | of lanyard's: FerretDB / Go runtime / Lanyard's own ms "
              "| store round trips | load at start |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for op in OPS:
            key = (engine, users, op)
            if key not in runs:
                continue
            pg = "—"
            if engine == "postgresql":
                pg = f"{fmt(metric(key, 'pg-cpu-ms/op'))} ({fmt(metric(key, 'pg-db-cpu-ms/op'))})"
            print(f"| {op} | {fmt(metric(key, 'calls/round'))} | {fmt(metric(key, 'wall-ms/op'))} "
                  f"| {fmt(metric(key, 'latency-ms/op'))} | {fmt(metric(key, 'lanyard-cpu-ms/op'))} | {pg} "
                  f"| **{fmt(metric(key, 'total-cpu-ms/op'))}** | {split(key)} | {fmt(metric(key, 'round-trips/op'), 2)} "
                  f"| {fmt(metric(key, 'load'), 2)} |")
        print()
    if len(populations) < 2:
        continue
    small, large = populations[0], populations[-1]
    print(f"#### {engine}: total CPU per call against population\n")
    print("| operation | " + " | ".join(f"{p:,} users" for p in populations) + f" | {large:,} / {small:,} |")
    print("|---|" + "---|" * (len(populations) + 1))
    for op in OPS:
        cpu = [metric((engine, p, op), "total-cpu-ms/op") for p in populations]
        ratio = f"**{cpu[-1] / cpu[0]:.1f}×**" if cpu[0] and cpu[-1] else "—"
        print(f"| {op} | " + " | ".join(f"{fmt(c)} ms" if c is not None else "—" for c in cpu) + f" | {ratio} |")
    print()
