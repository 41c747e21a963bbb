#!/usr/bin/env python3
"""Helper that lives inside one test network namespace (started with `ip netns exec NS`).

Reads one JSON request per line on stdin and answers one JSON line on stdout:
  {"op": "l2", "iface": I, "frame": HEX, "fence": HEX, "wait_ms": N}
                                                        send an Ethernet frame on I (AF_PACKET) and
                                                        right after it the fence frame, then
                                                        return the frames received meanwhile on the
                                                        capture interfaces (incoming only), as hex
  {"op": "l3", "family": 4|6, "packet": HEX, "dst": A, "wait_ms": N}
                                                        send an IP packet from this host (raw socket,
                                                        header included), then capture as above
  {"op": "run", "argv": [...], "input": TEXT}           run a command, return status/stdout/stderr
  {"op": "quit"}
Capture interfaces are given on the command line. Packets are built by the TypeScript side; this
file only moves bytes, so it needs nothing beyond the Python standard library.
"""
import json
import os
import select
import socket
import subprocess
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def open_capture(ifaces):
    socks = []
    for name in ifaces:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((name, 0))
        s.setblocking(False)
        socks.append((name, s))
    return socks


def drain(socks):
    for _, s in socks:
        while True:
            try:
                s.recv(65535)
            except BlockingIOError:
                break


def collect(socks, wait_ms):
    frames = []
    deadline = time.monotonic() + wait_ms / 1000.0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select([s for _, s in socks], [], [], left)
        for name, s in socks:
            if s not in ready:
                continue
            while True:
                try:
                    data, addr = s.recvfrom(65535)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue
                frames.append({"iface": name, "frame": data.hex()})
    return frames


def main():
    socks = open_capture([a for a in sys.argv[1:] if a])
    senders = {}
    raw4 = raw6 = None
    for line in sys.stdin:
        req = json.loads(line)
        op = req.get("op")
        try:
            if op == "quit":
                break
            if op == "run":
                r = subprocess.run(req["argv"], input=req.get("input", ""), capture_output=True, text=True, timeout=120)
                out = {"status": r.returncode, "stdout": r.stdout, "stderr": r.stderr}
            elif op in ("l2", "l3"):
                if req.get("frame"):
                    drain(socks)
                if op == "l2":
                    s = senders.get(req["iface"])
                    if s is None:
                        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
                        s.bind((req["iface"], 0))
                        senders[req["iface"]] = s
                    if req["frame"]:
                        s.send(bytes.fromhex(req["frame"]))
                    if req.get("fence"):
                        s.send(bytes.fromhex(req["fence"]))
                    refused = False
                else:
                    if req["family"] == 4:
                        if raw4 is None:
                            raw4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
                        sock = raw4
                    else:
                        if raw6 is None:
                            raw6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
                        sock = raw6
                    # A DROP in OUTPUT makes sendto fail with EPERM; that is an answer, not an error.
                    try:
                        sock.sendto(bytes.fromhex(req["packet"]), (req["dst"], 0))
                        refused = False
                    except PermissionError:
                        refused = True
                out = {"frames": collect(socks, req.get("wait_ms", 20)), "refused": refused}
            else:
                out = {"error": "unknown op %r" % op}
        except Exception as e:  # report, keep serving
            out = {"error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    os.environ.setdefault("LC_ALL", "C")
    main()
