#!/usr/bin/env python3
"""Small helpers for the benchmarks (standard library only).

  watch-nodes SOCK TIMEOUT_S HOST=ready|labelled ...
      Polls the manager's GET /nodes through its unix socket every 50 ms and prints "HOST EPOCH_MS" once HOST is
      Ready (and, for "labelled", carries the os label), EPOCH_MS being when that poll was sent; "HOST nan" at
      the timeout. Start it before `swarm init`, so that its own start-up is not measured.
  sample-running SERVICE PERIOD_S STOP_FILE SOCK...
      Every PERIOD_S, counts SERVICE's running containers on the engines at SOCK... (one that does not answer
      runs nothing) and prints "EPOCH_MS RUNNING", until STOP_FILE exists.
  task-starts SOCK SERVICE FROM_MS
      The tasks that moved: SERVICE's tasks created at or after FROM_MS that are running now, from the manager's
      GET /tasks at SOCK. Prints "CREATED_MS RUNNING_MS" for each: the task's CreatedAt and the timestamp of its
      Running state (Status.Timestamp), both the manager's record.
  hang PORT ...       accepts connections and never answers (a manager that hangs)
  garbage PORT ...    accepts connections and answers bytes that are not HTTP, then closes
  count-proxy LISTEN_SOCK TARGET_SOCK COUNT_FILE
      A unix-socket proxy that counts connections (one Engine API request each: the agent never reuses them)
      and writes the count to COUNT_FILE after each one.
"""
import asyncio
import http.client
import json
import socket
import sys
import time


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=2.0):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.path)
        self.sock = s


def watch_nodes(sock, timeout_s, wanted):
    want = dict(w.split("=", 1) for w in wanted)
    found = {}
    end = time.time() + float(timeout_s)
    while len(found) < len(want) and time.time() < end:
        tick = time.time()
        try:
            c = UnixHTTPConnection(sock)
            c.request("GET", "/nodes")
            nodes = json.loads(c.getresponse().read())
            c.close()
        except Exception:
            nodes = []
        seen = tick
        if isinstance(nodes, list):
            for n in nodes:
                host = n.get("Description", {}).get("Hostname", "")
                if host not in want or host in found:
                    continue
                if n.get("Status", {}).get("State") != "ready":
                    continue
                if want[host] == "labelled" and "os" not in (n.get("Spec", {}).get("Labels") or {}):
                    continue
                found[host] = seen
        time.sleep(max(0.0, 0.05 - (time.time() - tick)))
    for host in want:
        print(host, "%d" % int(found[host] * 1000) if host in found else "nan")


async def serve(ports, handler):
    servers = [await asyncio.start_server(handler, "0.0.0.0", int(p)) for p in ports]
    await asyncio.gather(*(s.serve_forever() for s in servers))


async def hang_handler(reader, writer):
    try:
        while await reader.read(4096):
            pass
    finally:
        writer.close()


async def garbage_handler(reader, writer):
    try:
        writer.write(b"\x16\x03\x01\x00\x05garbage, not HTTP at all\r\n\r\n\x00\xff")
        await writer.drain()
    finally:
        writer.close()


def count_proxy(listen, target, count_file):
    count = 0

    async def pipe(r, w):
        try:
            while True:
                data = await r.read(65536)
                if not data:
                    break
                w.write(data)
                await w.drain()
        except Exception:
            pass
        finally:
            w.close()

    async def handle(reader, writer):
        nonlocal count
        count += 1
        with open(count_file, "w") as f:
            f.write("%d\n" % count)
        try:
            tr, tw = await asyncio.open_unix_connection(target)
        except Exception:
            writer.close()
            return
        await asyncio.gather(pipe(reader, tw), pipe(tr, writer))

    async def main():
        with open(count_file, "w") as f:
            f.write("0\n")
        server = await asyncio.start_unix_server(handle, listen)
        await server.serve_forever()

    asyncio.run(main())


def sample_running(service, period_s, stop_file, socks):
    """The service's tasks that really run: its running containers on every engine that answers (a manager
    keeps listing the tasks of a vanished node as running until it notices, ~12 s or more)."""
    import os
    import urllib.parse
    filters = json.dumps({"label": ["com.docker.swarm.service.name=" + service], "status": ["running"]})
    path = "/containers/json?filters=" + urllib.parse.quote(filters)
    period = float(period_s)
    next_tick = time.time()
    while not os.path.exists(stop_file):
        tick = time.time()
        running = 0
        for sock in socks:
            try:
                conn = UnixHTTPConnection(sock, timeout=period)
                conn.request("GET", path)
                running += len(json.loads(conn.getresponse().read()))
                conn.close()
            except Exception:  # noqa: BLE001 - an engine that is gone runs nothing
                pass
        print(f"{int(tick * 1000)} {running}", flush=True)
        next_tick += period
        time.sleep(max(0.0, next_tick - time.time()))


def epoch_ms(stamp):
    """Docker's RFC 3339 time with up to nanoseconds ("2026-12-04T22:30:00.123456789Z") in ms since the epoch."""
    import datetime
    import re
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$", stamp)
    if not m:
        raise ValueError("not a timestamp: " + stamp)
    zone = "+00:00" if m.group(3) == "Z" else m.group(3)
    t = datetime.datetime.fromisoformat(m.group(1) + zone)
    return int(t.timestamp()) * 1000 + int(((m.group(2) or "") + "000")[:3])


def task_starts(sock, service, from_ms):
    import urllib.parse
    filters = json.dumps({"service": [service], "desired-state": ["running"]})
    conn = UnixHTTPConnection(sock, timeout=10)
    conn.request("GET", "/tasks?filters=" + urllib.parse.quote(filters))
    tasks = json.loads(conn.getresponse().read())
    conn.close()
    for t in tasks:
        status = t.get("Status", {})
        if status.get("State") != "running":
            continue
        created = epoch_ms(t["CreatedAt"])
        if created < int(from_ms):
            continue
        print(created, epoch_ms(status["Timestamp"]))


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "watch-nodes":
        watch_nodes(args[0], args[1], args[2:])
    elif cmd == "sample-running":
        sample_running(args[0], args[1], args[2], args[3:])
    elif cmd == "task-starts":
        task_starts(args[0], args[1], args[2])
    elif cmd == "hang":
        asyncio.run(serve(args, hang_handler))
    elif cmd == "garbage":
        asyncio.run(serve(args, garbage_handler))
    elif cmd == "count-proxy":
        count_proxy(args[0], args[1], args[2])
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
