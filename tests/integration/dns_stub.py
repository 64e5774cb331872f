#!/usr/bin/env python3
"""A one-name DNS server for the integration tests: answers A queries for NAME with ADDR,
NXDOMAIN for everything else, logs each query's name to LOG.
Usage: dns_stub.py LISTEN_IP NAME ADDR LOG  (writes "ready" to LOG.ready once bound)."""
import socket
import struct
import sys

listen, want, addr, log = sys.argv[1:5]
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((listen, 53))
with open(log + ".ready", "w") as f:
    f.write("ready\n")
while True:
    query, peer = sock.recvfrom(512)
    if len(query) < 17:
        continue
    labels, i = [], 12
    while i < len(query) and query[i] != 0:
        labels.append(query[i + 1:i + 1 + query[i]].decode("ascii", "replace"))
        i += query[i] + 1
    qtype = struct.unpack(">H", query[i + 1:i + 3])[0]
    question = query[12:i + 5]
    name = ".".join(labels).lower()
    with open(log, "a") as f:
        f.write("%s %d\n" % (name, qtype))
    answer = b""
    flags = 0x8180  # response, recursion desired + available, NOERROR
    if name == want and qtype == 1:
        answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton(addr)
    elif name != want:
        flags = 0x8183  # NXDOMAIN
    header = query[:2] + struct.pack(">HHHHH", flags, 1, 1 if answer else 0, 0, 0)
    sock.sendto(header + question + answer, peer)
