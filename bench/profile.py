"""Reads `perf script` stacks of a measured server and splits its measured CPU per call by part.

Each sample goes to the first part whose function is on its stack, in the order below, so the parts do not
overlap. Samples of the logins that seed the store before the measurement are left out, unless the
row measured is itself logins (seeded = 0). A part's share of
the samples is applied to the CPU per call the benchmark measured (perf may miss samples, the process
accounting does not).
Usage: perf script -i perf.data | python3 bench/profile.py <server CPU ms per call> <seeded: 1 or 0>
"""
import collections
import sys

PARTS = [
    ("seed logins (left out)", "Login_Handler"),
    ("store: session", "SessionForRefresh"),
    ("store: rotation claim", "ClaimRotation"),
    ("store: custom data", "GetCustomData"),
    ("store: identities (the profile query)", "findIdentities"),
    ("ES256 signature", "ecdsa.Sign"),
    ("store: new user", "CreateUser"),
    ("store: new session", "CreateSession"),
    ("store: auth events", "AppendEvents"),
    ("access token: claims, JSON, JWS", "mintAccess"),
    ("refresh token: mint", "MintRefresh"),
    ("refresh token: parse", "ParseRefresh"),
    ("handler and interceptors, the rest", "processRPC"),
    ("gRPC: HTTP/2 reader", "HandleStreams"),
    ("gRPC: HTTP/2 writer", "loopyWriter"),
    ("runtime: sysmon", "sysmon"),
    ("runtime: idle processors looking for work", "findRunnable"),
    ("runtime: garbage collection", "gcBgMarkWorker"),
    ("runtime: sweeping, scavenging", "bgsweep"),
    ("runtime: sweeping, scavenging", "scavenge"),
    ("mongo driver: background", "x/mongo/driver/topology"),
]


def main():
    cpu_us, seeded = float(sys.argv[1]) * 1000, sys.argv[2] == "1"
    if not seeded:
        PARTS[0] = ("login handler, the rest", "Login_Handler")
        PARTS.append(PARTS.pop(0))
    parts = collections.Counter()
    for sample in sys.stdin.read().split("\n\n"):
        frames = sample.strip().split("\n")[1:]
        if not frames:
            continue
        stack = " ".join(frames)
        name = next((n for n, fn in PARTS if fn in stack), "other")
        parts[name] += 1
    parts.pop("seed logins (left out)", None)
    total = sum(parts.values())
    print(f"{cpu_us:8.1f} µs of CPU per call, {total} samples, by part:")
    for name, n in parts.most_common():
        print(f"{cpu_us * n / total:8.1f}  {n / total:5.1%}  {name}")


main()
