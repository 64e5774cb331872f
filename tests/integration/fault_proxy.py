#!/usr/bin/env python3
"""A faulty HTTP proxy in front of a registry, for the push/pull fault tests.

usage: fault_proxy.py LISTEN_PORT UPSTREAM_HOST:PORT EVERY

One request per connection (the proxy asks upstream for Connection: close). Every EVERY-th
request gets a fault, cycling through: an answer 503, a cut (an upload loses its connection in
the middle of its body; a blob download in the middle of the response), 429, 500, a cut.
Requests that cannot be cut get 503 instead. Prints one line per fault to stdout.
"""
import socket
import sys
import threading

LISTEN, UPSTREAM, EVERY = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
UP_HOST, UP_PORT = UPSTREAM.rsplit(":", 1)
FAULTS = ["503", "cut", "429", "500", "cut"]
lock = threading.Lock()
count = [0]


def read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    return head.decode("latin-1"), rest


def read_exact(conn, n, have):
    data = have
    while len(data) < n:
        chunk = conn.recv(min(65536, n - len(data)))
        if not chunk:
            break
        data += chunk
    return data


def answer(conn, status):
    text = {"503": "Service Unavailable", "429": "Too Many Requests", "500": "Internal Server Error"}[status]
    body = b'{"errors":[{"code":"UNAVAILABLE","message":"injected fault"}]}'
    conn.sendall(("HTTP/1.1 %s %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                  "Connection: close\r\n\r\n" % (status, text, len(body))).encode() + body)


def handle(conn):
    try:
        head, rest = read_head(conn)
        if head is None:
            return
        lines = head.split("\r\n")
        method, path = lines[0].split(" ")[:2]
        headers = [l for l in lines[1:] if not l.lower().startswith("connection:")]
        length = 0
        for l in headers:
            if l.lower().startswith("content-length:"):
                length = int(l.split(":", 1)[1])
        with lock:
            count[0] += 1
            n = count[0]
        fault = FAULTS[(n // EVERY) % len(FAULTS)] if n % EVERY == 0 else None
        upload = length > 0 and "/blobs/uploads/" in path
        download = method == "GET" and "/blobs/sha256:" in path
        if fault == "cut" and not (upload or download):
            fault = "503"
        if fault in ("503", "429", "500"):
            read_exact(conn, length, rest)
            print("fault %s %s %s" % (fault, method, path), flush=True)
            answer(conn, fault)
            return
        up = socket.create_connection((UP_HOST, int(UP_PORT)))
        up.sendall(("\r\n".join([lines[0]] + headers + ["Connection: close"]) + "\r\n\r\n").encode("latin-1"))
        if fault == "cut" and upload:
            body = read_exact(conn, length // 2, rest)
            up.sendall(body)
            print("fault cut-upload %s %s at %d of %d" % (method, path, len(body), length), flush=True)
            up.close()
            return
        body = read_exact(conn, length, rest)
        up.sendall(body)
        sent = 0
        head_done = False
        limit = None
        buf = b""
        while True:
            chunk = up.recv(65536)
            if not chunk:
                break
            if fault == "cut" and download:
                buf += chunk
                if not head_done and b"\r\n\r\n" in buf:
                    h, b = buf.split(b"\r\n\r\n", 1)
                    size = 0
                    for l in h.decode("latin-1").split("\r\n"):
                        if l.lower().startswith("content-length:"):
                            size = int(l.split(":", 1)[1])
                    limit = len(h) + 4 + size // 2
                    head_done = True
                if limit is not None and len(buf) >= limit:
                    conn.sendall(buf[:limit])
                    print("fault cut-download %s at %d bytes" % (path, limit), flush=True)
                    up.close()
                    return
                continue
            conn.sendall(chunk)
            sent += len(chunk)
        if buf:
            conn.sendall(buf)
        up.close()
    except OSError:
        pass
    finally:
        conn.close()


def main():
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", LISTEN))
    srv.listen(64)
    print("listening", flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


main()
