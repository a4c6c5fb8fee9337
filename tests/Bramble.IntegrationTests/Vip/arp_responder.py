#!/usr/bin/env python3
"""A MetalLB-style ARP responder for the VIP tests: answers who-has VIP in user space, the VIP on no interface.

Usage: arp_responder.py INTERFACE VIP MAX_SECONDS
Runs inside a test namespace (ip netns exec bt-...), only ever on the interface it is given; exits after
MAX_SECONDS so it can never outlive a test by much. Prints "ready" once bound, then one line per reply sent.
"""
import socket
import struct
import sys
import time

ETH_P_ARP = 0x0806


def main():
    interface, vip, max_seconds = sys.argv[1], socket.inet_aton(sys.argv[2]), float(sys.argv[3])
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
    sock.bind((interface, ETH_P_ARP))
    mac = sock.getsockname()[4][:6]
    print("ready", flush=True)
    deadline = time.monotonic() + max_seconds
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            frame = sock.recv(2048)
        except socket.timeout:
            break
        if len(frame) < 42 or frame[12:14] != b"\x08\x06":
            continue
        htype, ptype, hlen, plen, op = struct.unpack("!HHBBH", frame[14:22])
        sender_mac, sender_ip, target_ip = frame[22:28], frame[28:32], frame[38:42]
        if (htype, ptype, hlen, plen, op) != (1, 0x0800, 6, 4, 1) or target_ip != vip or sender_mac == mac:
            continue
        arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2) + mac + vip + sender_mac + sender_ip
        sock.send(sender_mac + mac + b"\x08\x06" + arp)
        print("replied to " + sender_mac.hex(":"), flush=True)


if __name__ == "__main__":
    main()
