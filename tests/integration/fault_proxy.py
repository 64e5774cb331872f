#!/usr/bin/env python3
"""A faulty HTTP proxy in front of a registry, for the push/pull fault tests.

usage: fault_proxy.py LISTEN_PORT UPSTREAM_HOST:PORT EVERY

One request per connection (the proxy asks upstream for Connection: close). Every EVERY-th
request is answered 503, 429 or 500 in turn; of the others, every third upload with a body loses
its connection in the middle of the body, and every third blob download in the middle of the
response. Prints one line per fault to stdout.
"""
import socket
import sys
import threading

LISTEN, UPSTREAM, EVERY = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
UP_HOST, UP_PORT = UPSTREAM.rsplit(":", 1)
STATUSES = ["503", "429", "500"]
lock = threading.Lock()
count = {"all": 0, "upload": 0, "download": 0}


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
    data = have[:n]
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
        upload = length > 0 and "/blobs/uploads/" in path
        download = method == "GET" and "/blobs/sha256:" in path
        fault = None
        with lock:
            count["all"] += 1
            n = count["all"]
            if n % EVERY == 0:
                fault = STATUSES[(n // EVERY) % len(STATUSES)]
            elif upload or download:
                kind = "upload" if upload else "download"
                count[kind] += 1
                if count[kind] % 3 == 2:
                    fault = "cut"
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
