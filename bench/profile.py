"""Reads `perf script` stacks of a measured server and splits its measured CPU per call by part.

Each sample goes to the first part whose function is on its stack, in the order below, so the parts do not
overlap. Samples of the logins and custom data writes that seed the store before the measurement are left
out, unless the row measured is itself logins (seeded = 0). A part's share of
the samples is applied to the CPU per call the benchmark measured (perf may miss samples, the process
accounting does not).
Given a function name as well, it then splits that function's own share by the functions it calls
(each with everything below it, so the lines overlap), for a closer look at one part.
Usage: perf script -i perf.data | python3 bench/profile.py <server CPU ms per call> <seeded: 1 or 0> [function]
"""
import collections
import sys

PARTS = [
    ("seed logins (left out)", "Login_Handler"),
    ("seeding custom data (left out)", "UpdateCustomData_Handler"),
    ("embedded store engine, seeding (left out)", "FerretDB"),
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
    ("WhoAmI: user_data written from the token's document", "structwire"),
    ("WhoAmI: user_data through encoding/json and structpb", "jsonStruct"),
    ("encoding the answer (protobuf)", "codecV2).Marshal"),
    ("SHA-256 (the verify cache's key)", "sha256"),
    ("handler and interceptors, the rest", "processRPC"),
    ("gRPC: HTTP/2 header decoding (HPACK)", "hpack.(*Decoder)"),
    ("gRPC: HTTP/2 reader, the rest", "HandleStreams"),
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
    within = sys.argv[3] if len(sys.argv) > 3 else None
    if not seeded:
        PARTS[0] = ("login handler, the rest", "Login_Handler")
        PARTS.append(PARTS.pop(0))
    parts, callees = collections.Counter(), collections.Counter()
    for sample in sys.stdin.read().split("\n\n"):
        frames = sample.strip().split("\n")[1:]
        if not frames:
            continue
        stack = " ".join(frames)
        name = next((n for n, fn in PARTS if fn in stack), "other")
        parts[name] += 1
        if within and not name.endswith("(left out)"):
            # perf lists a stack leaf first: the frames before the first `within` are what it called.
            funcs = [f.split()[1].split("+0x")[0] for f in frames if len(f.split()) > 1]
            top = next((i for i, f in enumerate(funcs) if within in f), None)
            if top is not None:
                callees.update(set(funcs[: top + 1]))
    for name in list(parts):
        if name.endswith("(left out)"):
            parts.pop(name)
    total = sum(parts.values())
    print(f"{cpu_us:8.1f} µs of CPU per call, {total} samples, by part:")
    for name, n in parts.most_common():
        print(f"{cpu_us * n / total:8.1f}  {n / total:5.1%}  {name}")
    if within:
        print(f"inside functions named like {within!r}, per call, with what each calls:")
        for name, n in callees.most_common(15):
            print(f"{cpu_us * n / total:8.1f}  {name}")


main()
