#!/usr/bin/env python3
"""Prints every ARP frame heard on an interface, for the gratuitous-ARP test's observer.

Usage: arp_listener.py INTERFACE MAX_SECONDS
Runs inside a test namespace (ip netns exec bt-...), only on the interface it is given; exits after MAX_SECONDS.
Prints "ready" once bound, then one line per frame:
  arp op=1 eth_dst=ff:ff:ff:ff:ff:ff sender_mac=02:00:00:00:00:01 sender_ip=192.0.2.100 target_ip=192.0.2.100 at=12.345678
(at: monotonic seconds, so the gaps between frames can be measured on the wire).
"""
import socket
import struct
import sys
import time

ETH_P_ARP = 0x0806


def main():
    interface, max_seconds = sys.argv[1], float(sys.argv[2])
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
    sock.bind((interface, ETH_P_ARP))
    print("ready", flush=True)
    deadline = time.monotonic() + max_seconds
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            frame = sock.recv(2048)
        except socket.timeout:
            break
        at = time.monotonic()
        if len(frame) < 42 or frame[12:14] != b"\x08\x06":
            continue
        op = struct.unpack("!H", frame[20:22])[0]
        print("arp op=%d eth_dst=%s sender_mac=%s sender_ip=%s target_ip=%s at=%.6f" % (
            op, frame[0:6].hex(":"), frame[22:28].hex(":"), socket.inet_ntoa(frame[28:32]),
            socket.inet_ntoa(frame[38:42]), at), flush=True)


if __name__ == "__main__":
    main()
