#!/usr/bin/env python3
"""An Engine API proxy for the stop tests (tests/systemd/test_stop_phases.sh, tests/windows/e2e_join_test.sh): it
forwards every request on LISTEN to the engine at UPSTREAM, except the ones it is told to hold; a held request
is accepted and read and never answered (a dockerd that is starting, or a join that takes its 35 s). It also
listens on 127.0.0.1:SILENT_PORT as a manager that accepts connections and never answers. LISTEN and UPSTREAM
are unix socket paths or HOST:PORT.

What it holds is chosen, at each request, by files in CONTROL_DIR: `hold-all` holds every request, `hold-join`
only POST .../swarm/join. Each held request or silent connection appends one line to CONTROL_DIR/held.log; the
proxy's pid is in CONTROL_DIR/proxy.pid.

Usage: hold_proxy.py LISTEN UPSTREAM CONTROL_DIR SILENT_PORT
"""
import os
import socket
import sys
import threading
import time

listen_path, upstream_path, control_dir, silent_port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
held_log = os.path.join(control_dir, "held.log")
log_lock = threading.Lock()


def family(where):
    return (socket.AF_UNIX if where.startswith("/") else socket.AF_INET, socket.SOCK_STREAM)


def address(where):
    if where.startswith("/"):
        return where
    host, port = where.rsplit(":", 1)
    return (host, int(port))


def note_held(what):
    with log_lock, open(held_log, "a", encoding="utf-8") as f:
        f.write(f"{time.time():.3f} {what}\n")


def hold(conn):
    # Read (and drop) whatever comes until the client gives up.
    try:
        while conn.recv(65536):
            pass
    except OSError:
        pass
    conn.close()


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(conn):
    head = b""
    while b"\r\n\r\n" not in head:
        data = conn.recv(65536)
        if not data:
            conn.close()
            return
        head += data
    request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    method, target = (request_line.split(" ") + ["", ""])[:2]
    if os.path.exists(os.path.join(control_dir, "hold-all")) or (
        os.path.exists(os.path.join(control_dir, "hold-join"))
        and method == "POST"
        and target.endswith("/swarm/join")
    ):
        note_held(f"engine {method} {target}")
        hold(conn)
        return
    upstream = socket.socket(*family(upstream_path))
    try:
        upstream.connect(address(upstream_path))
    except OSError:
        conn.close()
        return
    upstream.sendall(head)
    back = threading.Thread(target=pump, args=(upstream, conn), daemon=True)
    back.start()
    pump(conn, upstream)
    back.join()
    conn.close()
    upstream.close()


def accept_loop(server, handler):
    while True:
        conn, _ = server.accept()
        threading.Thread(target=handler, args=(conn,), daemon=True).start()


def silent(conn):
    note_held("manager connection")
    hold(conn)


with open(os.path.join(control_dir, "proxy.pid"), "w", encoding="utf-8") as pid_file:
    pid_file.write(f"{os.getpid()}\n")
engine = socket.socket(*family(listen_path))
if engine.family == socket.AF_UNIX:
    if os.path.exists(listen_path):
        os.unlink(listen_path)
    engine.bind(listen_path)
    os.chmod(listen_path, 0o666)
else:
    engine.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    engine.bind(address(listen_path))
engine.listen(64)
manager = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
manager.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
manager.bind(("127.0.0.1", silent_port))
manager.listen(64)
threading.Thread(target=accept_loop, args=(manager, silent), daemon=True).start()
accept_loop(engine, serve)
