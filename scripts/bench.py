#!/usr/bin/env python3
"""`make bench`: builds release binaries and runs every benchmark, printing Markdown for
BENCHMARKS.md. Servers run pinned to CPU 0 and load generators to CPU 1 (`taskset`), so that CPU
time per request is the server's alone. Every load test targets loopback and is bounded in count.

Needs: h2load (nghttp2-client), wrk, taskset; `make deps` installs them.
"""

import contextlib
import os
import re
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "Benchmarks")
TICKS = os.sysconf("SC_CLK_TCK")
QUICK = os.environ.get("BENCH_QUICK") == "1"
# BENCH_ONLY=edge runs only the edge against direct RPC.
ONLY = os.environ.get("BENCH_ONLY")


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def run(command, cwd=ROOT, **kwargs):
    log("$", " ".join(command))
    # Build output goes to stderr: stdout is the Markdown for BENCHMARKS.md.
    return subprocess.run(command, cwd=cwd, check=True, text=True, stdout=kwargs.pop("stdout", sys.stderr), **kwargs)


def bin_path(package_dir):
    return subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=package_dir,
                          check=True, text=True, capture_output=True).stdout.strip()


def build():
    run(["swift", "build", "-c", "release"])
    run(["swift", "build", "-c", "release"], cwd=BENCH)
    return bin_path(ROOT), bin_path(BENCH)


class Server:
    """A server process pinned to CPU 0, started and ready once it prints `listening HOST:PORT`."""

    def __init__(self, command, cpu="0", env=None):
        self.started = time.monotonic()
        self.process = subprocess.Popen(["taskset", "-c", cpu] + command, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True, env=env)
        line = self.process.stdout.readline()
        match = re.match(r"listening .*:(\d+)", line)
        if not match:
            raise SystemExit(f"{command[0]} did not start: {line!r}")
        self.port = int(match.group(1))

    def cpu_seconds(self):
        fields = open(f"/proc/{self.process.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def rss_mib(self):
        for line in open(f"/proc/{self.process.pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


# --- gRPC request bodies, encoded by hand: the harness needs no protobuf library -----------------

def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field(number, wire_type, payload):
    key = varint(number << 3 | wire_type)
    if wire_type == 2:
        return key + varint(len(payload)) + payload
    return key + varint(payload)


def grpc_frame(message):
    return b"\x00" + struct.pack(">I", len(message)) + message


def write_body(message):
    handle = tempfile.NamedTemporaryFile(delete=False, suffix=".bin")
    handle.write(grpc_frame(message))
    handle.close()
    return handle.name


# --- h2load / wrk ------------------------------------------------------------------------------

def h2load(port, path, body_file, requests, clients, streams, headers=(), cpu="1"):
    log_file = tempfile.NamedTemporaryFile(delete=False).name
    command = ["taskset", "-c", cpu, "h2load", "-n", str(requests), "-c", str(clients), "-m", str(streams),
               "-d", body_file, "-H", "content-type: application/grpc", "-H", "te: trailers",
               "--log-file", log_file]
    for header in headers:
        command += ["-H", header]
    command.append(f"http://127.0.0.1:{port}{path}")
    before = os.times()
    output = subprocess.run(command, check=True, text=True, capture_output=True).stdout
    load_us = children_cpu_since(before) / requests * 1e6
    qps = float(re.search(r"finished in [\d.]+\w*, ([\d.]+) req/s", output).group(1))
    succeeded = int(re.search(r"(\d+) succeeded", output).group(1))
    latencies = sorted(int(line.split()[2]) for line in open(log_file) if line.strip())
    os.unlink(log_file)
    if succeeded != requests:
        raise SystemExit(f"h2load: only {succeeded} of {requests} requests succeeded:\n{output}")
    return {"qps": qps, "p50_us": percentile(latencies, 0.5), "p99_us": percentile(latencies, 0.99), "load_us": load_us}


def children_cpu_since(before):
    """CPU seconds the finished child processes used since `before` (os.times()): the load
    generator's own cost, which shares a core with a server in some placements."""
    after = os.times()
    return (after.children_user - before.children_user) + (after.children_system - before.children_system)


def percentile(values, p):
    return values[min(len(values) - 1, int(len(values) * p))]


def wrk(url, connections, seconds, token, cpu="1"):
    command = ["taskset", "-c", cpu, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
               "-H", f"Authorization: Bearer {token}", url]
    before = os.times()
    output = subprocess.run(command, check=True, text=True, capture_output=True).stdout
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    load_us = children_cpu_since(before) / max(requests, 1) * 1e6
    qps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {}
    for label, value, unit in re.findall(r"\s+(50|99)%\s+([\d.]+)(us|ms|s)", output):
        latency[label] = float(value) * {"us": 1, "ms": 1000, "s": 1_000_000}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"wrk saw {errors.group(1)} non-2xx responses:\n{output}")
    return {"qps": qps, "p50_us": latency["50"], "p99_us": latency["99"], "requests": requests, "load_us": load_us}


# --- A raw HTTP/2 client, for the one-off calls the harness itself makes -------------------------

def http2_call(port, path, message, timeout=5.0):
    """One gRPC call over a fresh connection; returns the response message bytes."""
    def frame(kind, flags, stream, payload):
        return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload

    def literal(name, value):
        return b"\x00" + varint(len(name)) + name.encode() + varint(len(value)) + value.encode()

    headers = b"".join(literal(n, v) for n, v in [(":method", "POST"), (":scheme", "http"), (":path", path),
                                                   (":authority", "localhost"), ("content-type", "application/grpc"),
                                                   ("te", "trailers")])
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(4, 0, 0, b"") + frame(1, 4, 1, headers)
                     + frame(0, 1, 1, grpc_frame(message)))
        buffer = b""
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                raise RuntimeError("connection closed")
            buffer += chunk
            while len(buffer) >= 9:
                length = int.from_bytes(buffer[:3], "big")
                if len(buffer) < 9 + length:
                    break
                kind, flags, stream = buffer[3], buffer[4], int.from_bytes(buffer[5:9], "big")
                payload, buffer = buffer[9:9 + length], buffer[9 + length:]
                if kind == 4 and not flags & 1:
                    sock.sendall(frame(4, 1, 0, b""))
                if stream == 1 and kind == 0:
                    data += payload
                if stream == 1 and kind in (0, 1) and flags & 1:
                    return data[5:]


def first_string_field(message):
    """The first length-delimited field of a message: the id of a created user."""
    length, offset = 0, 1
    shift = 0
    while True:
        byte = message[offset]
        length |= (byte & 0x7F) << shift
        offset += 1
        shift += 7
        if not byte & 0x80:
            break
    return message[offset:offset + length].decode()


# --- The benchmarks ----------------------------------------------------------------------------

def codec(bench_bin):
    return subprocess.run([os.path.join(bench_bin, "codec-bench")], check=True, text=True,
                          capture_output=True).stdout


def echo_server(command, body, n):
    server = Server(command)
    try:
        h2load(server.port, "/bench.v1.Echo/Echo", body, 20000 if not QUICK else 2000, 4, 32)  # warm-up
        before = server.cpu_seconds()
        loaded = h2load(server.port, "/bench.v1.Echo/Echo", body, n, 4, 32)
        loaded["cpu_us"] = (server.cpu_seconds() - before) * 1e6 / n
        loaded["rss_mib"] = server.rss_mib()
        single = h2load(server.port, "/bench.v1.Echo/Echo", body, n // 10, 1, 1)
        return loaded, single
    finally:
        server.stop()


def our_client(bin_dir, bench_bin, n):
    server = Server([os.path.join(bin_dir, "bench-server"), "--port", "0"])
    try:
        results = {}
        for concurrency, requests in [(128, n), (1, n // 10)]:
            output = subprocess.run(["taskset", "-c", "1", os.path.join(bench_bin, "rpc-load"), "--port", str(server.port),
                                     "--requests", str(requests), "--concurrency", str(concurrency)],
                                    check=True, text=True, capture_output=True).stdout
            values = dict(pair.split("=") for pair in output.split())
            results[concurrency] = {"qps": float(values["qps"]), "p50_us": int(values["p50_us"]),
                                    "p99_us": int(values["p99_us"])}
        return results
    finally:
        server.stop()


def idle_connections(bin_dir, count=1000):
    server = Server([os.path.join(bin_dir, "bench-server"), "--port", "0"])
    sockets = []
    try:
        time.sleep(0.5)
        before = server.rss_mib()
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", server.port))
            sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")
            sockets.append(sock)
        time.sleep(1.5)
        return before, server.rss_mib()
    finally:
        for sock in sockets:
            sock.close()
        server.stop()


def startup(bin_dir, runs=5):
    times = []
    request = field(1, 2, b"x" * 64)
    for _ in range(runs):
        start = time.monotonic()
        process = subprocess.Popen([os.path.join(bin_dir, "bench-server"), "--port", "50097"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while True:
            try:
                http2_call(50097, "/bench.v1.Echo/Echo", request, timeout=1)
                break
            except OSError:
                time.sleep(0.001)
        times.append((time.monotonic() - start) * 1000)
        process.terminate()
        process.wait()
    return statistics.median(times)


def services(bin_dir, durability):
    with tempfile.TemporaryDirectory() as folder:
        user = Server([os.path.join(bin_dir, "user-service"), "--port", "0", "--db", f"{folder}/users.db",
                       "--durability", durability])
        order = Server([os.path.join(bin_dir, "order-service"), "--port", "0", "--db", f"{folder}/orders.db",
                        "--user-addr", f"127.0.0.1:{user.port}", "--durability", durability])
        try:
            created = http2_call(user.port, "/user.v1.UserService/CreateUser",
                                 field(1, 2, b"Bench User") + field(2, 2, b"bench@example.com"))
            user_id = first_string_field(created)
            get_body = write_body(field(1, 2, user_id.encode()))
            item = field(1, 2, b"SKU-1") + field(2, 0, 2) + field(3, 0, 1999)
            order_body = write_body(field(1, 2, user_id.encode()) + field(2, 2, item))
            n = 2000 if QUICK else 50000
            get_user = h2load(user.port, "/user.v1.UserService/GetUser", get_body, n, 4, 32)
            orders = 500 if QUICK else (3000 if durability == "full" else 20000)
            create_order = h2load(order.port, "/order.v1.OrderService/CreateOrder", order_body, orders, 4, 8)
            return user_id, get_user, create_order
        finally:
            order.stop()
            user.stop()


def get_user_by_batch(bin_dir):
    """user-service's CPU per GetUser by how many calls one connection has in flight: what a
    call costs depends on how many arrive together (one read, one thread-pool wake-up and one
    write serve them all), which is why the figure differs behind the edge and under h2load."""
    with tempfile.TemporaryDirectory() as folder:
        user = Server([os.path.join(bin_dir, "user-service"), "--port", "0", "--db", f"{folder}/users.db",
                       "--durability", "normal"])
        try:
            created = http2_call(user.port, "/user.v1.UserService/CreateUser",
                                 field(1, 2, b"Batch User") + field(2, 2, b"batch@example.com"))
            body = write_body(field(1, 2, first_string_field(created).encode()))
            n = 2000 if QUICK else 30000
            results = []
            for clients, streams in [(32, 1), (1, 2), (1, 8), (4, 8), (1, 32)]:
                before = user.cpu_seconds()
                h2load(user.port, "/user.v1.UserService/GetUser", body, n, clients, streams)
                results.append((clients, streams, (user.cpu_seconds() - before) / n * 1e6))
            return results
        finally:
            user.stop()


# Where each process runs, for the edge against direct RPC: (edge, user-service, load generator).
# The machine has two cores; each placement answers a different question, so all are reported.
PLACEMENTS = [
    ("edge on its own core", "0", "1", "1",
     "the edge has CPU 0; user-service and the load generator share CPU 1 in both runs, so the service "
     "has the same CPU either way: does the edge keep up with it (a deployment where the edge runs apart)"),
    ("edge and service share a core", "0", "0", "1",
     "edge and user-service share CPU 0, the load generator has CPU 1: what one request costs through "
     "the edge against straight to the service"),
    ("nothing pinned", "0-1", "0-1", "0-1",
     "every process may run on both cores, as on a developer's machine"),
]


@contextlib.contextmanager
def edge_in_front_of_user_service(bin_dir, edge_cpu, user_cpu, edge_env=None):
    """user-service with one user, and the edge in front of it; yields the two servers, the
    user's id, the edge's URL for GET /v1/users/{id}, and a bearer token."""
    secret = "bench-secret"
    with tempfile.TemporaryDirectory() as folder:
        user = Server([os.path.join(bin_dir, "user-service"), "--port", "0", "--db", f"{folder}/users.db",
                       "--durability", "normal"], cpu=user_cpu)
        try:
            edge = Server([os.path.join(bin_dir, "edge"), "--port", "0", "--user-addr", f"127.0.0.1:{user.port}",
                           "--order-addr", "127.0.0.1:1", "--jwt-secret", secret, "--rate-limit", "1000000",
                           "--rate-burst", "1000000"], cpu=edge_cpu, env=edge_env)
            try:
                created = http2_call(user.port, "/user.v1.UserService/CreateUser",
                                     field(1, 2, b"Edge User") + field(2, 2, b"edge@example.com"))
                user_id = first_string_field(created)
                token = subprocess.run([os.path.join(bin_dir, "edge"), "mint-token", "--jwt-secret", secret],
                                       check=True, text=True, capture_output=True).stdout.strip()
                yield user, edge, user_id, f"http://127.0.0.1:{edge.port}/v1/users/{user_id}", token
            finally:
                edge.stop()
        finally:
            user.stop()


def edge_versus_direct(bin_dir, seconds, placement, rounds):
    """GET /v1/users/{id} through the edge with wrk, then GetUser straight to user-service with
    h2load at the same concurrency; both with the CPU each server spent per request. The two
    alternate `rounds` times against the same processes and each figure is the median, so that a
    neighbour's load on this shared machine moves both sides of a ratio alike."""
    _, edge_cpu, user_cpu, load_cpu, _ = placement
    with edge_in_front_of_user_service(bin_dir, edge_cpu, user_cpu) as (user, edge, user_id, url, token):
        body = write_body(field(1, 2, user_id.encode()))
        wrk(url, 32, 2, token, cpu=load_cpu)  # warm-up: connections, caches
        results = {}
        loads = [("32 in flight", 32)] + ([("1 in flight", 1)] if placement is PLACEMENTS[1] else [])
        for label, connections in loads:
            clients, streams = (4, 8) if connections == 32 else (1, 1)
            samples = []
            for _ in range(rounds):
                before = (edge.cpu_seconds(), user.cpu_seconds())
                through_edge = wrk(url, connections, seconds, token, cpu=load_cpu)
                count = through_edge["requests"]
                through_edge["edge_us"] = (edge.cpu_seconds() - before[0]) / count * 1e6
                through_edge["user_us"] = (user.cpu_seconds() - before[1]) / count * 1e6
                # About as long as the edge's run: the direct path answers some twice as fast.
                requests = min(400000, max(5000, int(through_edge["qps"] * seconds * 2)))
                before = user.cpu_seconds()
                direct = h2load(user.port, "/user.v1.UserService/GetUser", body, requests, clients, streams, cpu=load_cpu)
                direct["user_us"] = (user.cpu_seconds() - before) / requests * 1e6
                if connections > 1:
                    # wrk's shape: every client on its own connection, one call at a time.
                    per_connection = h2load(user.port, "/user.v1.UserService/GetUser", body, requests // 2,
                                            connections, 1, cpu=load_cpu)
                    through_edge["share_per_connection"] = through_edge["qps"] / per_connection["qps"]
                samples.append((through_edge, direct))
            results[label] = median_pair(samples)
        return results


def median_pair(samples):
    """Per-key medians of (through the edge, direct) samples, and the median of their ratios."""
    median = statistics.median
    through_edge = {key: median([edge[key] for edge, _ in samples]) for key in samples[0][0]}
    direct = {key: median([direct[key] for _, direct in samples]) for key in samples[0][1]}
    through_edge["shares"] = [edge["qps"] / direct["qps"] for edge, direct in samples]
    through_edge["share"] = median(through_edge["shares"])
    through_edge["added_p50_us"] = median([edge["p50_us"] - direct["p50_us"] for edge, direct in samples])
    return through_edge, direct


def edge_allocations(bin_dir):
    """Allocations per GET /v1/users/{id} in the edge: malloc, calloc and realloc calls counted by
    Benchmarks/c/malloc_count.c preloaded into it, around a wrk run. Unlike time, the count
    hardly moves with the machine's load."""
    library = os.path.join(BENCH, ".build", "malloc_count.so")
    run(["gcc", "-O2", "-Wall", "-Wextra", "-shared", "-fPIC", "-o", library, os.path.join(BENCH, "c", "malloc_count.c")])
    with tempfile.TemporaryDirectory() as folder:
        count_file = os.path.join(folder, "count")
        environment = dict(os.environ, LD_PRELOAD=library, MALLOC_COUNT_FILE=count_file)
        with edge_in_front_of_user_service(bin_dir, "0", "1", edge_env=environment) as (_, edge, _, url, token):
            wrk(url, 32, 1, token)

            def count():
                if os.path.exists(count_file):
                    os.unlink(count_file)
                edge.process.send_signal(signal.SIGUSR2)
                for _ in range(200):
                    time.sleep(0.01)
                    if os.path.exists(count_file) and open(count_file).read().strip():
                        return int(open(count_file).read())
                raise SystemExit("the malloc counter did not answer")

            before = count()
            result = wrk(url, 32, 2, token)
            time.sleep(0.1)  # the last responses' work, finished after wrk's last read
            return (count() - before) / result["requests"]


def http1_floor(bench_bin, seconds):
    """SwiftNIO's HTTP/1.1 codec answering a fixed body, on CPU 0 with wrk on CPU 1: the CPU
    any edge on NIO spends per request before doing anything."""
    server = Server([os.path.join(bench_bin, "http1-floor"), "--port", "0"])
    try:
        url = f"http://127.0.0.1:{server.port}/v1/users/x"
        wrk(url, 32, 2, "unused")
        before = server.cpu_seconds()
        result = wrk(url, 32, seconds, "unused")
        result["cpu_us"] = (server.cpu_seconds() - before) / (result["qps"] * seconds) * 1e6
        return result
    finally:
        server.stop()


def main():
    bin_dir, bench_bin = build()
    n = 20000 if QUICK else 200000
    echo_body = write_body(field(1, 2, b"x" * 64))
    out = []
    if ONLY != "edge":
        out.append("## Codec\n\n`Benchmarks/.build/release/codec-bench`\n")
        out.append(codec(bench_bin))

        ours, ours_single = echo_server([os.path.join(bin_dir, "bench-server"), "--port", "0"], echo_body, n)
        theirs, theirs_single = echo_server([os.path.join(bench_bin, "grpc-swift-echo-server"), "--port", "0"], echo_body, n)
        out.append("## Unary echo under h2load\n")
        out.append(f"Server on CPU 0, `h2load -n {n} -c 4 -m 32` on CPU 1, 64-byte payload; one in flight: "
                   f"`-n {n // 10} -c 1 -m 1`.\n")
        out.append("| server | req/s | p50 | p99 | server CPU per request | RSS after load | p50, one in flight | p99, one in flight |")
        out.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for name, loaded, single in [("swift-rpc bench-server", ours, ours_single),
                                     ("grpc-swift 2.4.3", theirs, theirs_single)]:
            out.append(f"| {name} | {loaded['qps']:,.0f} | {loaded['p50_us'] / 1000:.2f} ms | {loaded['p99_us'] / 1000:.2f} ms | "
                       f"{loaded['cpu_us']:.1f} µs | {loaded['rss_mib']:.1f} MiB | {single['p50_us'] / 1000:.3f} ms | "
                       f"{single['p99_us'] / 1000:.3f} ms |")
        out.append(f"| **ratio** | **{ours['qps'] / theirs['qps']:.1f}x** | | {theirs['p99_us'] / ours['p99_us']:.1f}x lower | "
                   f"{theirs['cpu_us'] / ours['cpu_us']:.1f}x less | | | |\n")

        client = our_client(bin_dir, bench_bin, n)
        out.append("## Our client against our server\n")
        out.append("`rpc-load` on CPU 1, bench-server on CPU 0.\n")
        out.append("| calls in flight | req/s | p50 | p99 |")
        out.append("| --- | --- | --- | --- |")
        for concurrency, result in client.items():
            out.append(f"| {concurrency} | {result['qps']:,.0f} | {result['p50_us'] / 1000:.3f} ms | {result['p99_us'] / 1000:.3f} ms |")
        out.append("")

        before, after = idle_connections(bin_dir)
        first = startup(bin_dir)
        out.append("## Footprint\n")
        out.append(f"- 1,000 idle HTTP/2 connections: RSS {before:.1f} MiB → {after:.1f} MiB (+{after - before:.1f} MiB).")
        out.append(f"- First answered call {first:.1f} ms after the process starts (median of 5).\n")

        out.append("## Services with SQLite\n")
        out.append("`h2load -c 4 -m 32` for GetUser, `-c 4 -m 8` for CreateOrder (each a new order, with the "
                   "GetUser hop to user-service).\n")
        out.append("| durability | GetUser req/s | GetUser p99 | CreateOrder req/s | CreateOrder p99 |")
        out.append("| --- | --- | --- | --- | --- |")
        for durability in ["full", "normal"]:
            _, get_user, create_order = services(bin_dir, durability)
            out.append(f"| {durability} | {get_user['qps']:,.0f} | {get_user['p99_us'] / 1000:.2f} ms | "
                       f"{create_order['qps']:,.0f} | {create_order['p99_us'] / 1000:.2f} ms |")
        out.append("")
        out.append("user-service CPU per GetUser by calls in flight per connection (`h2load -c C -m M`, "
                   "`--durability normal`):\n")
        batches = get_user_by_batch(bin_dir)
        out.append("| " + " | ".join(f"-c {c} -m {m}" for c, m, _ in batches) + " |")
        out.append("| " + " | ".join("---" for _ in batches) + " |")
        out.append("| " + " | ".join(f"{us:.1f} µs" for _, _, us in batches) + " |\n")

    seconds = 3 if QUICK else 5
    rounds = 1 if QUICK else 5
    out.append("## Edge against direct RPC\n")
    out.append(f"`GET /v1/users/{{id}}` through the edge with `wrk -t1 -d{seconds}s`, against GetUser straight to "
               "user-service with `h2load` at the same concurrency (`-c 4 -m 8`, or `-c 1 -m 1`) for about as "
               f"long, alternating {rounds} times against the same processes; each figure is the median of the "
               "rounds (the share's rounds in brackets). CPU columns: server CPU time per request, from /proc.\n")
    out.append("| placement | load | edge req/s | direct req/s | edge share | edge CPU/req | user-service CPU/req "
               "(through edge / direct) | load generator CPU/req (wrk / h2load) | edge p50 | direct p50 | added at p50 |")
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    shared_direct_us = 0.0
    per_connection_shares = []
    for placement in PLACEMENTS:
        for label, (through_edge, direct) in edge_versus_direct(bin_dir, seconds, placement, rounds).items():
            if placement is PLACEMENTS[1] and label == "32 in flight":
                shared_direct_us = direct["user_us"]
            if "share_per_connection" in through_edge:
                per_connection_shares.append(f"{through_edge['share_per_connection'] * 100:.0f}% {placement[0]}")
            shares = ", ".join(f"{share * 100:.0f}" for share in through_edge["shares"])
            out.append(f"| {placement[0]} | {label} | {through_edge['qps']:,.0f} | {direct['qps']:,.0f} | "
                       f"{through_edge['share'] * 100:.0f}% ({shares}) | {through_edge['edge_us']:.1f} µs | "
                       f"{through_edge['user_us']:.1f} / {direct['user_us']:.1f} µs | "
                       f"{through_edge['load_us']:.1f} / {direct['load_us']:.1f} µs | "
                       f"{through_edge['p50_us'] / 1000:.3f} ms | {direct['p50_us'] / 1000:.3f} ms | "
                       f"{through_edge['added_p50_us'] / 1000:.3f} ms |")
    out.append("")
    floor = http1_floor(bench_bin, seconds)
    out.append(f"- *floor*: SwiftNIO's HTTP/1.1 codec answering a fixed body of the same size "
               f"(`Benchmarks/.build/release/http1-floor` on CPU 0, wrk on CPU 1): {floor['qps']:,.0f} req/s, "
               f"{floor['cpu_us']:.1f} µs of CPU per request. An edge that did nothing but that, sharing a core with "
               f"a service that spends {shared_direct_us:.1f} µs per request, could keep at most "
               f"{shared_direct_us / (shared_direct_us + floor['cpu_us']) * 100:.0f}% of its throughput.")
    out.append("- *one connection per client*: against GetUser with `h2load -c 32 -m 1` in the same rounds (32 "
               "clients each on its own connection with one call at a time, as wrk's are, instead of sharing 4), "
               "the edge's share is " + ", ".join(per_connection_shares) + ".")
    out.append(f"- *allocations*: {edge_allocations(bin_dir):.1f} malloc/calloc/realloc calls in the edge per "
               "`GET /v1/users/{id}` (`Benchmarks/c/malloc_count.c` preloaded, `wrk -c32 -d2s`).")
    for name, edge_cpu, user_cpu, load_cpu, question in PLACEMENTS:
        out.append(f"- *{name}* (edge `taskset -c {edge_cpu}`, user-service `-c {user_cpu}`, wrk/h2load `-c {load_cpu}`): "
                   f"{question}.")
    print("\n".join(out))


if __name__ == "__main__":
    main()
