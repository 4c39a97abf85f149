"""Prints the median of every metric of every benchmark in a `go test -bench` output (-count N)."""
import collections
import re
import statistics
import sys

runs = collections.defaultdict(lambda: collections.defaultdict(list))
for line in open(sys.argv[1]):
    if not line.startswith("Benchmark"):
        continue
    fields = line.split()
    # -N is GOMAXPROCS; #NN numbers sub-benchmarks of the same name (repeated rounds).
    name = re.sub(r"(#\d+)?-\d+$", "", fields[0])
    for value, unit in zip(fields[2::2], fields[3::2]):
        try:
            runs[name][unit].append(float(value))
        except ValueError:
            pass
for name, metrics in runs.items():
    n = max(len(v) for v in metrics.values())
    print(f"{name} (n={n}): " + "  ".join(f"{unit}={statistics.median(v):.4g}" for unit, v in metrics.items()))
