#!/usr/bin/env python3
"""Join a Roomcast room over raw TCP and print what the other members send.

Written from packages/protocol/PROTOCOL.md alone (appendix A for TCP), with the Python 3 standard
library only (Python 3.8 or newer). Usage (see README.md next to this file):

    python3 roomcast_tcp.py HOST PORT ROOM [NAME] [--seconds N] [--send HEX]
                            [--send-droppable HEX] [--send-latest HEX]

Prints one line per event; the first word says the delivery class:

    joined lobby as member 2 (handle 1); members: 1, 2
    member 3 joined: {"name": "Ada"}
    reliable from 3: 010203
    reliable from 3 (direct): ff
    droppable from 3: 0a0b
    latest 3/key 0: 4008ff
    latest 3/key 0: cleared
    member 3 left
    closed: 1001 relay shutting down

With --seconds N it leaves the room after N seconds, closes the connection and prints
"closed: 1000 normal closure (after N s)"; without it, it runs until the relay closes.

With a connection token (PROTOCOL.md 8.18) in the environment variable ROOMCAST_TOKEN (not on
the command line, where other users of the machine can see it), the hello carries it (protocol
v2) and the output shows verified user ids:

    welcomed as user ada; token expires in 900 s
    member 3 joined as user bob: {"name": "Bob"}
"""
import argparse
import json
import os
import socket
import struct
import sys
import time

PROTOCOL_VERSION = 2  # v2 adds tokens; without one we say v1, so older relays accept us too
KIND_CONTROL, KIND_DATA, KIND_DELIVER, KIND_BATCH = 0x01, 0x02, 0x03, 0x04
CLASS_RELIABLE, CLASS_LATEST, CLASS_DROPPABLE = 0, 1, 2  # flags bits 0-1 (PROTOCOL.md 4.1)
CLASS_NAMES = {CLASS_RELIABLE: "reliable", CLASS_LATEST: "latest", CLASS_DROPPABLE: "droppable"}
FLAG_DIRECT, FLAG_SNAPSHOT = 0x04, 0x08
LEAVE_WAIT_SECONDS = 2.0  # how long a --seconds run waits for the relay's reply to leave, then for EOF


# ---- MessagePack: the plain subset control frames use (PROTOCOL.md 5.1) ----------------------

def pack(value):
    """Encodes nil, bool, int, float, str, bytes, list and dict with str keys."""
    if value is None:
        return b"\xc0"
    if value is True:
        return b"\xc3"
    if value is False:
        return b"\xc2"
    if isinstance(value, int):
        if 0 <= value < 0x80:
            return bytes([value])
        if -32 <= value < 0:
            return struct.pack("b", value)
        if 0 <= value <= 0xFF:
            return b"\xcc" + struct.pack(">B", value)
        if 0 <= value <= 0xFFFF:
            return b"\xcd" + struct.pack(">H", value)
        if 0 <= value <= 0xFFFFFFFF:
            return b"\xce" + struct.pack(">I", value)
        if value >= 0:
            return b"\xcf" + struct.pack(">Q", value)
        return b"\xd3" + struct.pack(">q", value)
    if isinstance(value, float):
        return b"\xcb" + struct.pack(">d", value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        n = len(raw)
        if n < 32:
            return bytes([0xA0 | n]) + raw
        if n <= 0xFF:
            return b"\xd9" + bytes([n]) + raw
        if n <= 0xFFFF:
            return b"\xda" + struct.pack(">H", n) + raw
        return b"\xdb" + struct.pack(">I", n) + raw
    if isinstance(value, (bytes, bytearray)):
        n = len(value)
        head = b"\xc4" + bytes([n]) if n <= 0xFF else b"\xc5" + struct.pack(">H", n) if n <= 0xFFFF else b"\xc6" + struct.pack(">I", n)
        return head + bytes(value)
    if isinstance(value, (list, tuple)):
        n = len(value)
        head = bytes([0x90 | n]) if n < 16 else b"\xdc" + struct.pack(">H", n) if n <= 0xFFFF else b"\xdd" + struct.pack(">I", n)
        return head + b"".join(pack(v) for v in value)
    if isinstance(value, dict):
        n = len(value)
        head = bytes([0x80 | n]) if n < 16 else b"\xde" + struct.pack(">H", n) if n <= 0xFFFF else b"\xdf" + struct.pack(">I", n)
        return head + b"".join(pack(str(k)) + pack(v) for k, v in value.items())
    raise TypeError("cannot encode %r" % (value,))


def unpack(data):
    """Decodes one MessagePack value that must fill `data` exactly."""
    value, end = _unpack(data, 0, 1)
    if end != len(data):
        raise ValueError("trailing bytes")
    return value


def _take(data, at, n):
    if at + n > len(data):
        raise ValueError("truncated")
    return data[at:at + n], at + n


def _unpack(data, at, depth):
    if depth > 16:
        raise ValueError("nested too deep")
    b, at = _take(data, at, 1)
    b = b[0]
    if b <= 0x7F:
        return b, at
    if b >= 0xE0:
        return b - 0x100, at
    if 0xA0 <= b <= 0xBF:
        raw, at = _take(data, at, b & 0x1F)
        return raw.decode("utf-8", "replace"), at
    if 0x90 <= b <= 0x9F:
        return _array(data, at, b & 0x0F, depth)
    if 0x80 <= b <= 0x8F:
        return _map(data, at, b & 0x0F, depth)
    if b == 0xC0:
        return None, at
    if b in (0xC2, 0xC3):
        return b == 0xC3, at
    fixed = {0xCC: ">B", 0xCD: ">H", 0xCE: ">I", 0xCF: ">Q", 0xD0: ">b", 0xD1: ">h", 0xD2: ">i", 0xD3: ">q", 0xCA: ">f", 0xCB: ">d"}
    if b in fixed:
        raw, at = _take(data, at, struct.calcsize(fixed[b]))
        return struct.unpack(fixed[b], raw)[0], at
    sizes = {0xD9: ">B", 0xDA: ">H", 0xDB: ">I", 0xC4: ">B", 0xC5: ">H", 0xC6: ">I",
             0xDC: ">H", 0xDD: ">I", 0xDE: ">H", 0xDF: ">I"}
    if b in sizes:
        raw, at = _take(data, at, struct.calcsize(sizes[b]))
        n = struct.unpack(sizes[b], raw)[0]
        if b in (0xD9, 0xDA, 0xDB):
            raw, at = _take(data, at, n)
            return raw.decode("utf-8", "replace"), at
        if b in (0xC4, 0xC5, 0xC6):
            raw, at = _take(data, at, n)
            return bytes(raw), at
        if b in (0xDC, 0xDD):
            return _array(data, at, n, depth)
        return _map(data, at, n, depth)
    raise ValueError("byte 0x%02x is not plain MessagePack" % b)


def _array(data, at, n, depth):
    if n > len(data) - at:  # every item takes at least one byte: refuse impossible counts early
        raise ValueError("truncated")
    out = []
    for _ in range(n):
        v, at = _unpack(data, at, depth + 1)
        out.append(v)
    return out, at


def _map(data, at, n, depth):
    if 2 * n > len(data) - at:
        raise ValueError("truncated")
    out = {}
    for _ in range(n):
        k, at = _unpack(data, at, depth + 1)
        if not isinstance(k, str):
            raise ValueError("map keys must be strings")
        out[k], at = _unpack(data, at, depth + 1)
    return out, at


# ---- TCP framing (appendix A): u32 big-endian length, then the frame ------------------------

class Deadline(Exception):
    """The time given to a read ran out."""


class Relay:
    MAX_FRAME = 16 * 1024 * 1024 + 64

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.next_id = 1
        self.deadline = None  # time.monotonic() after which reads raise Deadline; None = never

    def send_frame(self, frame):
        self.sock.sendall(struct.pack(">I", len(frame)) + frame)

    def send_control(self, message):
        self.send_frame(bytes([KIND_CONTROL]) + pack(message))

    def request(self, message):
        message = dict(type=message.pop("type"), id=self.next_id, **message)
        self.next_id += 1
        self.send_control(message)
        return message["id"]

    def _read(self, n):
        while len(self.buf) < n:
            if self.deadline is not None:
                left = self.deadline - time.monotonic()
                if left <= 0:
                    raise Deadline()
                self.sock.settimeout(left)
            else:
                self.sock.settimeout(None)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise Deadline()  # a partial frame stays in self.buf
            if not chunk:
                return None
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv_frame(self):
        """The next frame, or None when the relay closed the connection."""
        head = self._read(4)
        if head is None:
            return None
        (n,) = struct.unpack(">I", head)
        if n > self.MAX_FRAME:
            raise ValueError("relay announced a %d-byte frame" % n)
        return self._read(n)


def describe_deliver(frame):
    """Parses a deliver frame (PROTOCOL.md 4.2): 03 | flags | room u16 | sender u16 | [key] | payload.

    Returns (room, sender, class, direct, payload)."""
    flags = frame[1]
    room, sender = struct.unpack(">HH", frame[2:6])
    cls = flags & 0x03
    offset = 7 if cls == CLASS_LATEST else 6
    return room, sender, cls, bool(flags & FLAG_DIRECT), frame[offset:]


def read_varint(buf, pos):
    """Unsigned LEB128 (PROTOCOL.md 3): 7 bits per byte, low group first, at most 4 bytes."""
    value, shift = 0, 0
    for _ in range(4):
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7
    raise ValueError("varint longer than 4 bytes")


def describe_batch(frame):
    """Parses a batch frame (PROTOCOL.md 4.4): 04 | flags | room u16 | (sender key length payload)*."""
    snapshot = bool(frame[1] & FLAG_SNAPSHOT)
    (room,) = struct.unpack(">H", frame[2:4])
    entries, pos = [], 4
    while pos < len(frame):
        sender, pos = read_varint(frame, pos)
        key = frame[pos]
        length, pos = read_varint(frame, pos + 1)
        entries.append((sender, key, frame[pos:pos + length]))
        pos += length
    return room, snapshot, entries


class Session:
    """One connection joined to one room: prints every event, one line each."""

    def __init__(self, relay, room_name, name, sends):
        self.relay = relay
        self.room_name = room_name
        self.name = name
        self.sends = sends  # [(class, payload)] sent once joined
        self.join_id = None
        self.leave_id = None
        self.handle = None
        self.self_id = None
        self.left = False
        self.closed = None  # (code, reason) from the relay's close frame

    def send_data(self, cls, payload, key=0):
        """A data frame (PROTOCOL.md 4.2): 02 | flags | room u16 | [key] | payload."""
        head = bytes([KIND_DATA, cls]) + struct.pack(">H", self.handle)
        self.relay.send_frame(head + (bytes([key]) if cls == CLASS_LATEST else b"") + payload)

    def leave(self):
        if self.handle is not None and self.leave_id is None:
            self.leave_id = self.relay.request({"type": "leave", "room": self.handle})

    def on_frame(self, frame):
        if not frame:
            return
        if frame[0] == KIND_DELIVER:
            room, sender, cls, direct, payload = describe_deliver(frame)
            if room == self.handle:
                kind = CLASS_NAMES.get(cls, "class %d" % cls)
                print("%s from %d%s: %s" % (kind, sender, " (direct)" if direct else "", payload.hex()), flush=True)
        elif frame[0] == KIND_BATCH:
            room, snapshot, entries = describe_batch(frame)
            for sender, key, payload in entries if room == self.handle else []:
                if sender != self.self_id:  # a batch also carries our own latest values
                    state = payload.hex() if payload else "cleared"
                    print("latest %d/key %d%s: %s" % (sender, key, " (snapshot)" if snapshot else "", state), flush=True)
        elif frame[0] == KIND_CONTROL:
            self.on_control(unpack(frame[1:]))
        # other kinds: a newer relay; ignored (PROTOCOL.md 8.14)

    def on_control(self, m):
        t = m.get("type")
        if t == "welcome":
            if "userId" in m:
                expiry = "token expires in %d s" % m["expiresInSec"] if "expiresInSec" in m else "token does not expire"
                print("welcomed as user %s; %s" % (m["userId"], expiry), flush=True)
            self.join_id = self.relay.request({"type": "join", "room": self.room_name, "presence": {"name": self.name}})
        elif t == "joined" and m.get("id") == self.join_id:
            self.handle, self.self_id = m["handle"], m["self"]
            ids = ", ".join(str(x["id"]) for x in m["members"])
            print("joined %s as member %d (handle %d); members: %s" % (m["room"], m["self"], self.handle, ids), flush=True)
            for cls, payload in self.sends:
                self.send_data(cls, payload)
        elif t == "ok" and self.leave_id is not None and m.get("id") == self.leave_id:
            self.left = True
            print("left %s" % self.room_name, flush=True)
        elif t == "member_joined" and m["room"] == self.handle:
            member = m["member"]
            user = " as user %s" % member["userId"] if "userId" in member else ""
            print("member %d joined%s: %s" % (member["id"], user, json.dumps(member["presence"])), flush=True)
        elif t == "member_updated" and m["room"] == self.handle:
            print("member %d updated: %s" % (m["member"]["id"], json.dumps(m["member"]["presence"])), flush=True)
        elif t == "member_left" and m["room"] == self.handle:
            print("member %d left" % m["member"], flush=True)
        elif t == "heartbeat":
            self.relay.request({"type": "ping"})  # any frame proves we are alive; ping is the natural one
        elif t == "error":
            print("error %s: %s" % (m["code"], m["message"]), flush=True)
        elif t == "close":
            self.closed = (m["code"], m["reason"])


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="roomcast_tcp.py",
        description="Join a Roomcast room over raw TCP and print what the other members send.")
    p.add_argument("host", help="relay host, e.g. 127.0.0.1")
    p.add_argument("port", type=int, help="relay TCP port (TCP_PORT, default 8081)")
    p.add_argument("room", help="room name: 1-128 printable ASCII characters, no space")
    p.add_argument("name", nargs="?", default="python", help="presence name (default: python)")
    p.add_argument("--seconds", type=float, metavar="N",
                   help="leave after N seconds, close the connection and exit 0 (default: run until the relay closes)")
    p.add_argument("--send", action="append", default=[], metavar="HEX", type=bytes.fromhex,
                   help="send these bytes reliably to the room once joined (repeatable)")
    p.add_argument("--send-droppable", action="append", default=[], metavar="HEX", type=bytes.fromhex,
                   help="send these bytes as a droppable frame once joined (repeatable)")
    p.add_argument("--send-latest", action="append", default=[], metavar="HEX", type=bytes.fromhex,
                   help="set this latest value (key 0) once joined (repeatable)")
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv[1:])
    sends = ([(CLASS_RELIABLE, b) for b in args.send] + [(CLASS_DROPPABLE, b) for b in args.send_droppable]
             + [(CLASS_LATEST, b) for b in args.send_latest])
    try:
        relay = Relay(args.host, args.port)
    except OSError as err:
        print("cannot connect to %s:%d: %s (is the relay running with TCP on that port?)" % (args.host, args.port, err),
              file=sys.stderr)
        return 1
    if args.seconds is not None:
        relay.deadline = time.monotonic() + args.seconds
    session = Session(relay, args.room, args.name, sends)
    token = os.environ.get("ROOMCAST_TOKEN", "")
    hello = {"type": "hello", "v": PROTOCOL_VERSION if token else 1, "client": "roomcast-python/0.2"}
    if token:
        hello["token"] = token
    relay.request(hello)

    ending = False  # --seconds ran out: leaving, then closing
    while session.closed is None and not (ending and session.left):
        try:
            frame = relay.recv_frame()
        except Deadline:
            if ending:
                break  # no reply to leave in time: close anyway
            ending = True
            relay.deadline = time.monotonic() + LEAVE_WAIT_SECONDS
            session.leave()
            if session.handle is None:
                break  # never joined: nothing to leave
            continue
        if frame is None:
            print("closed: connection ended without a close frame", flush=True)
            return 1
        session.on_frame(frame)

    if session.closed is not None:
        print("closed: %d %s" % session.closed, flush=True)
        return 0
    # A client ends its side by closing the socket; it sends no close frame (PROTOCOL.md A.2). Half-close,
    # then read to the relay's FIN so that nothing it sent is lost in a reset.
    relay.sock.shutdown(socket.SHUT_WR)
    relay.deadline = time.monotonic() + LEAVE_WAIT_SECONDS
    try:
        while relay.recv_frame() is not None:
            pass
    except (Deadline, OSError):
        pass
    relay.sock.close()
    print("closed: 1000 normal closure (after %g s)" % args.seconds, flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except KeyboardInterrupt:
        sys.exit(130)
