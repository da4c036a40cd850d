#!/usr/bin/python3
"""dnsproxy.py --listen ADDR:PORT --upstream ADDR:PORT --log FILE [--counts FILE]

A counting DNS forwarder for the SPF benchmark. It answers on UDP and TCP at
--listen (PORT 0: the kernel picks a free one) and relays every message
unchanged to --upstream over the same transport. For each query it appends one
line "proto<TAB>name<TAB>TYPE" to --log (flushed at once, so the log is
complete as soon as the client has its answer). On SIGTERM/SIGINT it writes
"count<TAB>name<TAB>TYPE" lines (all transports together) to --counts and
exits. When ready it prints "port=PORT" on stdout and closes stdout.

Standard library only. Names are logged lowercased, without the final dot.
"""

import argparse
import os
import signal
import socket
import struct
import threading
from collections import Counter

TYPES = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT",
         28: "AAAA", 33: "SRV", 41: "OPT", 99: "SPF", 255: "ANY"}


def question(msg):
    """(name, TYPE) of the first question, or ('?', '?') when unreadable."""
    try:
        labels, i = [], 12
        while True:
            n = msg[i]
            if n == 0:
                i += 1
                break
            if n & 0xC0:  # no compression in a question; treat as garbage
                return "?", "?"
            labels.append(msg[i + 1:i + 1 + n].decode("ascii", "backslashreplace"))
            i += 1 + n
        qtype = struct.unpack("!H", msg[i:i + 2])[0]
        return ".".join(labels).lower() or ".", TYPES.get(qtype, f"TYPE{qtype}")
    except (IndexError, struct.error):
        return "?", "?"


class Proxy:
    def __init__(self, upstream, log_path):
        self.upstream = upstream
        self.lock = threading.Lock()
        self.counts = Counter()
        self.log = open(log_path, "a", buffering=1)

    def record(self, proto, msg):
        name, qtype = question(msg)
        with self.lock:
            self.counts[(name, qtype)] += 1
            self.log.write(f"{proto}\t{name}\t{qtype}\n")

    def udp_one(self, lsock, data, client):
        self.record("udp", data)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as up:
            up.settimeout(5)
            try:
                up.sendto(data, self.upstream)
                resp, _ = up.recvfrom(65535)
            except OSError:
                return  # the client times out, as it would with a lost packet
        lsock.sendto(resp, client)

    def udp_loop(self, lsock):
        while True:
            data, client = lsock.recvfrom(65535)
            threading.Thread(target=self.udp_one, args=(lsock, data, client),
                             daemon=True).start()

    @staticmethod
    def read_exact(sock, n):
        buf = b""
        while len(buf) < n:
            chunk = sock.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return buf

    def tcp_conn(self, conn):
        with conn, socket.create_connection(self.upstream, timeout=5) as up:
            while True:
                hdr = self.read_exact(conn, 2)
                if hdr is None:
                    return
                msg = self.read_exact(conn, struct.unpack("!H", hdr)[0])
                if msg is None:
                    return
                self.record("tcp", msg)
                up.sendall(hdr + msg)
                rhdr = self.read_exact(up, 2)
                if rhdr is None:
                    return
                resp = self.read_exact(up, struct.unpack("!H", rhdr)[0])
                if resp is None:
                    return
                conn.sendall(rhdr + resp)

    def tcp_loop(self, tsock):
        while True:
            conn, _ = tsock.accept()
            threading.Thread(target=self.tcp_conn, args=(conn,), daemon=True).start()


def addr(s):
    host, _, port = s.rpartition(":")
    return host, int(port)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", type=addr, required=True)
    ap.add_argument("--upstream", type=addr, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--counts")
    args = ap.parse_args()

    proxy = Proxy(args.upstream, args.log)
    host, port = args.listen
    # TCP first: with port 0 the kernel picks it, UDP then takes the same one.
    tsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tsock.bind((host, port))
    port = tsock.getsockname()[1]
    tsock.listen(64)
    usock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    usock.bind((host, port))

    def finish(signum, frame):
        if args.counts:
            with proxy.lock, open(args.counts, "w") as f:
                for (name, qtype), n in sorted(proxy.counts.items()):
                    f.write(f"{n}\t{name}\t{qtype}\n")
        os._exit(0)

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    threading.Thread(target=proxy.udp_loop, args=(usock,), daemon=True).start()
    threading.Thread(target=proxy.tcp_loop, args=(tsock,), daemon=True).start()
    print(f"port={port}", flush=True)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # the caller reads up to EOF
    os.close(devnull)
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
