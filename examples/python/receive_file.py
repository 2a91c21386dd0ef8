#!/usr/bin/env python3
"""Receive files sent to a Roomcast room (PROTOCOL.md appendix B) over raw TCP, and save them.

Standard library only (Python 3.8+); the connection, framing and MessagePack come from
roomcast_tcp.py next to this file. Usage (see README.md):

    python3 receive_file.py HOST PORT ROOM OUTDIR [--count N] [--seconds N] [--max-bytes N]

Prints one line per event:

    joined lobby as member 2
    file 7 from 1: "photo.png" image/png, 123456 bytes
    file 7 from 1: 25%
    saved photo.png: 123456 bytes, sha256 9f86d0...
    file 8 from 1: cancelled by the sender
    file 9 from 1: sender left
    file 10 from 1: declined (20000000 bytes is above --max-bytes 16777216)

Each file is written to OUTDIR as it arrives (NAME.part, renamed when complete; removed when the
transfer ends early), so a large file never sits in memory. With --count N it exits 0 after N
files were saved; with --seconds N after N seconds; otherwise it runs until the relay closes.
"""
import argparse
import hashlib
import os
import re
import struct
import sys
import time

from roomcast_tcp import CLASS_RELIABLE, KIND_CONTROL, KIND_DATA, KIND_DELIVER, FLAG_DIRECT, Deadline, Relay, describe_deliver, unpack

MAGIC = b"RCF\x01"  # every file message starts with it (PROTOCOL.md B.1)
OP_START, OP_CHUNK, OP_CANCEL = 0x01, 0x02, 0x03
REASON_CANCELLED, REASON_DECLINED, REASON_FAILED = 0x01, 0x02, 0x03
MAX_SIZE = 2 ** 53 - 1


def parse_file_message(payload):
    """A file message as (op, transfer id, fields), or None when the payload is not a well-formed one."""
    if len(payload) < 9 or payload[:4] != MAGIC:
        return None
    op = payload[4]
    (tid,) = struct.unpack(">I", payload[5:9])
    if op == OP_START and len(payload) >= 19:
        (size,) = struct.unpack(">Q", payload[9:17])
        (name_len,) = struct.unpack(">H", payload[17:19])
        if size > MAX_SIZE or name_len > 1024 or len(payload) < 20 + name_len:
            return None
        type_len = payload[19 + name_len]
        if len(payload) != 20 + name_len + type_len:
            return None
        name = payload[19:19 + name_len].decode("utf-8", "replace")
        media = payload[20 + name_len:].decode("utf-8", "replace")
        return op, tid, (size, name, media)
    if op == OP_CHUNK and len(payload) >= 17:
        (offset,) = struct.unpack(">Q", payload[9:17])
        return (op, tid, (offset, payload[17:])) if offset <= MAX_SIZE else None
    if op == OP_CANCEL and len(payload) == 10 and payload[9] in (1, 2, 3):
        return op, tid, payload[9]
    return None


def safe_name(name, outdir):
    """A file name inside outdir that does not exist yet, from the sender's (untrusted) name."""
    base = re.sub(r"[^A-Za-z0-9._-]", "_", os.path.basename(name.replace("\\", "/")))[:100].lstrip(".") or "file"
    candidate, n = base, 1
    while os.path.exists(os.path.join(outdir, candidate)) or os.path.exists(os.path.join(outdir, candidate + ".part")):
        n += 1
        stem, dot, ext = base.rpartition(".")
        candidate = "%s-%d.%s" % (stem, n, ext) if dot and stem else "%s-%d" % (base, n)
    return candidate


class Incoming:
    """One file being received: written to NAME.part as chunks arrive."""

    def __init__(self, outdir, sender, tid, size, name):
        self.sender, self.tid, self.size = sender, tid, size
        self.name = safe_name(name, outdir)
        self.path = os.path.join(outdir, self.name)
        self.out = open(self.path + ".part", "wb")
        self.received = 0
        self.sha = hashlib.sha256()
        self.next_quarter = 1

    def discard(self):
        self.out.close()
        os.remove(self.path + ".part")

    def finish(self):
        self.out.close()
        os.replace(self.path + ".part", self.path)


class Receiver:
    def __init__(self, relay, room, outdir, max_bytes):
        self.relay, self.room, self.outdir, self.max_bytes = relay, room, outdir, max_bytes
        self.handle = None
        self.join_id = None
        self.files = {}  # (sender, tid) -> Incoming
        self.saved = 0
        self.closed = None

    def label(self, sender, tid):
        return "file %d from %d" % (tid, sender)

    def decline(self, sender, tid):
        """cancel/declined, direct to the sender (PROTOCOL.md B.1): 02 | flags(direct) | room | target | payload."""
        if sender == 0:
            return  # a file from the server (B.2 rule 7): there is no member 0 to tell
        payload = MAGIC + bytes([OP_CANCEL]) + struct.pack(">I", tid) + bytes([REASON_DECLINED])
        self.relay.send_frame(bytes([KIND_DATA, CLASS_RELIABLE | FLAG_DIRECT]) + struct.pack(">HH", self.handle, sender) + payload)

    def on_frame(self, frame):
        if not frame:
            return
        if frame[0] == KIND_CONTROL:
            return self.on_control(unpack(frame[1:]))
        if frame[0] != KIND_DELIVER:
            return
        room, sender, cls, _direct, payload = describe_deliver(frame)
        msg = parse_file_message(payload) if room == self.handle and cls == CLASS_RELIABLE else None
        if msg is None:
            return  # not a file message: some other application data
        op, tid, fields = msg
        key = (sender, tid)
        if op == OP_START and key not in self.files:
            size, name, media = fields
            print('%s: "%s" %s, %d bytes' % (self.label(sender, tid), name, media or "(no type)", size), flush=True)
            if size > self.max_bytes:
                self.decline(sender, tid)
                print("%s: declined (%d bytes is above --max-bytes %d)" % (self.label(sender, tid), size, self.max_bytes), flush=True)
                return
            self.files[key] = Incoming(self.outdir, sender, tid, size, name)
            self.progress(key)
        elif op == OP_CHUNK and key in self.files:
            f = self.files[key]
            offset, data = fields
            if offset != f.received or f.received + len(data) > f.size:
                self.decline(sender, tid)  # a gap: the transfer is broken (PROTOCOL.md B.2 rule 3)
                self.end(key, "broken (chunk at %d, expected %d)" % (offset, f.received))
                return
            f.out.write(data)
            f.sha.update(data)
            f.received += len(data)
            self.progress(key)
        elif op == OP_CANCEL and key in self.files and fields != REASON_DECLINED:
            self.end(key, "cancelled by the sender" if fields == REASON_CANCELLED else "the sender could not read it")

    def progress(self, key):
        f = self.files[key]
        while f.size > 0 and f.next_quarter < 4 and f.received * 4 >= f.size * f.next_quarter:
            print("%s: %d%%" % (self.label(*key), 25 * f.next_quarter), flush=True)
            f.next_quarter += 1
        if f.received == f.size:
            f.finish()
            del self.files[key]
            self.saved += 1
            print("saved %s: %d bytes, sha256 %s" % (f.name, f.size, f.sha.hexdigest()), flush=True)

    def end(self, key, why):
        self.files.pop(key).discard()
        print("%s: %s" % (self.label(*key), why), flush=True)

    def on_control(self, m):
        t = m.get("type")
        if t == "welcome":
            self.join_id = self.relay.request({"type": "join", "room": self.room, "presence": {"name": "python-files"}})
        elif t == "joined" and m.get("id") == self.join_id:
            self.handle = m["handle"]
            print("joined %s as member %d" % (m["room"], m["self"]), flush=True)
        elif t == "member_left" and m["room"] == self.handle:
            for key in [k for k in self.files if k[0] == m["member"]]:
                self.end(key, "sender left")
        elif t == "heartbeat":
            self.relay.request({"type": "ping"})
        elif t == "error":
            print("error %s: %s" % (m["code"], m["message"]), flush=True)
        elif t == "close":
            self.closed = (m["code"], m["reason"])


def main(argv):
    p = argparse.ArgumentParser(prog="receive_file.py", description="Receive files sent to a Roomcast room and save them.")
    p.add_argument("host")
    p.add_argument("port", type=int, help="relay TCP port (TCP_PORT, default 8081)")
    p.add_argument("room")
    p.add_argument("outdir", help="folder to save the files in (must exist)")
    p.add_argument("--count", type=int, metavar="N", help="exit 0 after N files were saved")
    p.add_argument("--seconds", type=float, metavar="N", help="exit 0 after N seconds")
    p.add_argument("--max-bytes", type=int, default=256 * 1024 * 1024, metavar="N",
                   help="decline larger files (default 268435456)")
    args = p.parse_args(argv[1:])
    if not os.path.isdir(args.outdir):
        print("%s is not a folder" % args.outdir, file=sys.stderr)
        return 1
    try:
        relay = Relay(args.host, args.port)
    except OSError as err:
        print("cannot connect to %s:%d: %s" % (args.host, args.port, err), file=sys.stderr)
        return 1
    if args.seconds is not None:
        relay.deadline = time.monotonic() + args.seconds
    receiver = Receiver(relay, args.room, args.outdir, args.max_bytes)
    relay.request({"type": "hello", "v": 1, "client": "roomcast-python-files/0.1"})
    while receiver.closed is None and (args.count is None or receiver.saved < args.count):
        try:
            frame = relay.recv_frame()
        except Deadline:
            break
        if frame is None:
            print("closed: connection ended without a close frame", flush=True)
            return 1
        receiver.on_frame(frame)
    for key in list(receiver.files):
        receiver.end(key, "not finished when the receiver stopped")
    if receiver.closed is not None:
        print("closed: %d %s" % receiver.closed, flush=True)
    relay.sock.close()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except KeyboardInterrupt:
        sys.exit(130)
