// Encoder for the plain MessagePack subset that control frames use (PROTOCOL.md §5.1): what
// `encodeControl` writes, on the relay and in clients. Why not msgpackr: see plain-reader.ts.
// Tests prove it writes the same bytes as msgpackr's Packr (test/plain-msgpack.test.ts); it runs
// within about 2x of msgpackr's speed (a 256-member `joined`: ~0.2 ms).

const utf8Encoder = new TextEncoder();

/**
 * Encodes a JSON-like value as plain MessagePack with the smallest header for each item (the
 * "preferred serialization" msgpackr writes with `variableMapSize`). Object fields that are
 * `undefined` are left out (MessagePack has no undefined); `undefined` elsewhere becomes nil.
 * Non-integral and out-of-32-bit numbers are float64. Strings are written as UTF-8 (a lone
 * surrogate becomes U+FFFD).
 */
export function packPlain(value: unknown): Uint8Array<ArrayBuffer> {
  const w = new Writer();
  w.value(value);
  return w.bytes.slice(0, w.pos);
}

/** A growing output buffer; the encoder writes straight into it. */
class Writer {
  bytes = new Uint8Array(256);
  view = new DataView(this.bytes.buffer);
  pos = 0;

  reserve(n: number): void {
    if (this.pos + n <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.pos + n));
    next.set(this.bytes.subarray(0, this.pos));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  byte(b: number): void {
    this.reserve(1);
    this.bytes[this.pos++] = b;
  }

  value(v: unknown): void {
    if (v === null || v === undefined) this.byte(0xc0);
    else if (v === false) this.byte(0xc2);
    else if (v === true) this.byte(0xc3);
    else if (typeof v === 'number') this.number(v);
    else if (typeof v === 'string') this.string(v);
    else if (v instanceof Uint8Array) {
      // Stryker disable next-line UnaryOperator: with a fix limit of 0 the fix byte is never written, and bin's 16-bit opcode is chosen by op8
      this.header(v.length, -1, 0, 0xc4);
      this.reserve(v.length);
      this.bytes.set(v, this.pos);
      this.pos += v.length;
    } else if (Array.isArray(v)) {
      this.header(v.length, 0x90, 0x10, -1);
      for (const item of v) this.value(item);
    } else if (typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      let n = 0;
      for (const k of keys) if (o[k] !== undefined) n++;
      this.header(n, 0x80, 0x10, -1);
      for (const k of keys) {
        const x = o[k];
        if (x === undefined) continue;
        this.string(k);
        this.value(x);
      }
    } else {
      throw new TypeError(`cannot encode a ${typeof v} in a control message`);
    }
  }

  /**
   * A length header: the fix form (`fix | n`) below `fixLimit`, then the 8-bit form `op8` if the
   * type has one (strings, binaries), then the 16- and 32-bit forms. Arrays and maps have no 8-bit
   * form; their 16/32-bit opcodes are 0xdc/0xdd and 0xde/0xdf.
   */
  header(n: number, fix: number, fixLimit: number, op8: number): void {
    this.reserve(5);
    const b = this.bytes;
    if (n < fixLimit) b[this.pos++] = fix | n;
    else if (op8 > 0 && n < 0x100) {
      b[this.pos++] = op8;
      b[this.pos++] = n;
    } else {
      // 16-bit opcode: str 0xda, bin 0xc5, array 0xdc, map 0xde; the 32-bit one follows it.
      const op16 = op8 === 0xd9 ? 0xda : op8 === 0xc4 ? 0xc5 : fix === 0x90 ? 0xdc : 0xde;
      if (n < 0x10000) {
        b[this.pos++] = op16;
        this.view.setUint16(this.pos, n);
        this.pos += 2;
      } else {
        b[this.pos++] = op16 + 1;
        this.view.setUint32(this.pos, n);
        this.pos += 4;
      }
    }
  }

  string(s: string): void {
    // Stryker disable next-line ConditionalExpression,BlockStatement: both paths write the same UTF-8 bytes (TextEncoder's, lone surrogates as U+FFFD); 64 is only a speed threshold
    if (s.length >= 64) {
      const utf8 = utf8Encoder.encode(s);
      this.header(utf8.length, 0xa0, 0x20, 0xd9);
      this.reserve(utf8.length);
      this.bytes.set(utf8, this.pos);
      this.pos += utf8.length;
      return;
    }
    // Short strings (keys, names, codes): count the UTF-8 bytes, then write them by hand.
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        n += 4;
        i++;
      } else n += 3;
    }
    this.header(n, 0xa0, 0x20, 0xd9);
    this.reserve(n);
    const b = this.bytes;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) b[this.pos++] = c;
      else if (c < 0x800) {
        b[this.pos++] = 0xc0 | (c >> 6);
        b[this.pos++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
        b[this.pos++] = 0xf0 | (c >> 18);
        b[this.pos++] = 0x80 | ((c >> 12) & 0x3f);
        b[this.pos++] = 0x80 | ((c >> 6) & 0x3f);
        b[this.pos++] = 0x80 | (c & 0x3f);
      } else {
        if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // a lone surrogate, as TextEncoder writes it
        b[this.pos++] = 0xe0 | (c >> 12);
        b[this.pos++] = 0x80 | ((c >> 6) & 0x3f);
        b[this.pos++] = 0x80 | (c & 0x3f);
      }
    }
  }

  number(n: number): void {
    this.reserve(9);
    const b = this.bytes;
    if (n >>> 0 === n) {
      if (n < 0x80) b[this.pos++] = n;
      else if (n < 0x100) {
        b[this.pos++] = 0xcc;
        b[this.pos++] = n;
      } else if (n < 0x10000) {
        b[this.pos++] = 0xcd;
        this.view.setUint16(this.pos, n);
        this.pos += 2;
      } else {
        b[this.pos++] = 0xce;
        this.view.setUint32(this.pos, n);
        this.pos += 4;
      }
    } else if (n >> 0 === n) {
      if (n >= -0x20) b[this.pos++] = n & 0xff;
      else if (n >= -0x80) {
        b[this.pos++] = 0xd0;
        b[this.pos++] = n & 0xff;
      } else if (n >= -0x8000) {
        b[this.pos++] = 0xd1;
        this.view.setInt16(this.pos, n);
        this.pos += 2;
      } else {
        b[this.pos++] = 0xd2;
        this.view.setInt32(this.pos, n);
        this.pos += 4;
      }
    } else {
      b[this.pos++] = 0xcb;
      this.view.setFloat64(this.pos, n);
      this.pos += 8;
    }
  }
}
