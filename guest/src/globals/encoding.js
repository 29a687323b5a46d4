// TextEncoder and TextDecoder, after the WHATWG Encoding Standard.
// codemode's own code, under the project's license.
//
// Evaluates to a function that installs `TextEncoder` and `TextDecoder` on
// the global object. TextEncoder is UTF-8 only, as the standard has it.
// TextDecoder supports UTF-8, UTF-16LE, UTF-16BE and windows-1252 (whose
// labels include "latin1", "ascii" and "iso-8859-1") with every label the
// standard gives them; any other label is a RangeError, as for an unknown
// label. Decoding follows the standard's decoders exactly: one U+FFFD per
// maximal invalid subpart, BOM sniffing unless ignoreBOM, `fatal` throwing a
// TypeError, and `stream` keeping an incomplete sequence for the next call.
() => {
  "use strict";
  const global = globalThis;
  const { defineProperty, getOwnPropertyDescriptor } = Object;
  const { fromCharCode } = String;
  const TypeErrorCtor = TypeError;
  const RangeErrorCtor = RangeError;
  const Uint8ArrayCtor = Uint8Array;
  const isView = ArrayBuffer.isView;
  const getter = (proto, name) => getOwnPropertyDescriptor(proto, name).get;
  const abByteLength = getter(ArrayBuffer.prototype, "byteLength");
  const sabByteLength = typeof SharedArrayBuffer === "function" ? getter(SharedArrayBuffer.prototype, "byteLength") : null;
  const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype);
  const taTag = getter(TypedArrayProto, Symbol.toStringTag);
  const taBuffer = getter(TypedArrayProto, "buffer");
  const taByteOffset = getter(TypedArrayProto, "byteOffset");
  const taByteLength = getter(TypedArrayProto, "byteLength");
  const u8Set = TypedArrayProto.set;
  const dvBuffer = getter(DataView.prototype, "buffer");
  const dvByteOffset = getter(DataView.prototype, "byteOffset");
  const dvByteLength = getter(DataView.prototype, "byteLength");
  const call = Function.prototype.call;
  // Native helpers for the fast paths, captured before any program runs.
  const nativeEncodeURIComponent = encodeURIComponent;
  const nativeDecodeURIComponent = decodeURIComponent;
  const nativeEscape = escape;
  const nativeUnescape = unescape;
  const nativeBtoa = btoa;
  const nativeAtob = atob;
  const fromBase64 = Uint8Array.fromBase64;
  const toBase64 = Uint8Array.prototype.toBase64;
  const toWellFormed = String.prototype.toWellFormed;
  const asciiOnly = /^[\0-\x7f]*$/;
  // Below this many code units (bytes), the plain loops win. (Without
  // ES2026's Uint8Array base64, as on Node 20, only the loops are used.)
  const FAST = typeof fromBase64 === "function" && typeof toBase64 === "function" ? 64 : Infinity;
  const apply = (fn, self, ...args) => call.apply(fn, [self, ...args]);

  // Strings are built from code units in chunks, to keep
  // String.fromCharCode's argument count bounded.
  const CHUNK = 8192;

  // ----------------------------------------------------------- TextEncoder

  // UTF-8 encodes `s` (a USVString: lone surrogates become U+FFFD) into
  // `out` from index 0, which must have room for 3 bytes per code unit;
  // returns the byte count.
  function encodeUtf8(s, out) {
    let at = 0;
    const n = s.length;
    for (let i = 0; i < n; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        out[at++] = c;
      } else if (c < 0x800) {
        out[at++] = 0xc0 | (c >> 6);
        out[at++] = 0x80 | (c & 63);
      } else {
        if (c >= 0xd800 && c <= 0xdfff) {
          const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
          if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
            c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
            i++;
            out[at++] = 0xf0 | (c >> 18);
            out[at++] = 0x80 | ((c >> 12) & 63);
            out[at++] = 0x80 | ((c >> 6) & 63);
            out[at++] = 0x80 | (c & 63);
            continue;
          }
          c = 0xfffd;
        }
        out[at++] = 0xe0 | (c >> 12);
        out[at++] = 0x80 | ((c >> 6) & 63);
        out[at++] = 0x80 | (c & 63);
      }
    }
    return at;
  }

  // The exact UTF-8 length of `s` as a USVString.
  function utf8Length(s) {
    const n = s.length;
    let bytes = n;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) continue;
      if (c < 0x800) { bytes += 1; continue; }
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { bytes += 2; i++; continue; }
      }
      bytes += 2;
    }
    return bytes;
  }

  // UTF-8 encoding by the engine's own C code: the URI functions make the
  // bytes as a binary string, base64 carries them into a Uint8Array. Two to
  // five times faster than the loop in QuickJS for long strings.
  function encodeFast(s) {
    let binary;
    if (asciiOnly.test(s)) binary = s;
    else binary = nativeUnescape(nativeEncodeURIComponent(apply(toWellFormed, s)));
    return fromBase64(nativeBtoa(binary));
  }

  // UTF-8 decoding of a whole, valid input by the engine's own C code (the
  // inverse of encodeFast); undefined if the input is not valid UTF-8,
  // for the exact decoder to handle (with its replacement characters).
  function decodeFast(bytes) {
    try {
      return nativeDecodeURIComponent(nativeEscape(nativeAtob(apply(toBase64, bytes))));
    } catch {
      return undefined;
    }
  }

  // Whether a chunk ends inside a UTF-8 sequence.
  function endsMidSequence(bytes) {
    const n = bytes.length;
    let i = n - 1, continuation = 0;
    while (i >= 0 && continuation < 3 && (bytes[i] & 0xc0) === 0x80) { i--; continuation++; }
    if (i < 0) return continuation > 0;
    const b = bytes[i];
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return length > continuation + 1;
  }

  class TextEncoder {
    #brand = true;
    static #is(self, name) {
      if (self === null || typeof self !== "object" || !(#brand in self)) throw new TypeErrorCtor(`TextEncoder.${name}: Illegal invocation`);
    }

    get encoding() {
      TextEncoder.#is(this, "encoding");
      return "utf-8";
    }

    encode(input = "") {
      TextEncoder.#is(this, "encode");
      const s = `${input}`;
      if (s.length >= FAST) return encodeFast(s);
      const out = new Uint8ArrayCtor(utf8Length(s));
      encodeUtf8(s, out);
      return out;
    }

    encodeInto(source, destination) {
      TextEncoder.#is(this, "encodeInto");
      if (arguments.length < 2) throw new TypeErrorCtor("TextEncoder.encodeInto: 2 arguments required");
      const s = `${source}`;
      if (!isView(destination) || apply(taTag, destination) !== "Uint8Array") {
        throw new TypeErrorCtor("TextEncoder.encodeInto: The \"destination\" argument must be an instance of Uint8Array");
      }
      const room = apply(taByteLength, destination);
      const n = s.length;
      if (n >= FAST) {
        const bytes = encodeFast(s);
        if (bytes.length <= room) {
          apply(u8Set, destination, bytes);
          return { read: n, written: bytes.length };
        }
      }
      let read = 0, written = 0;
      for (; read < n; read++) {
        let c = s.charCodeAt(read);
        if (c < 0x80) {
          if (written >= room) break;
          destination[written++] = c;
        } else if (c < 0x800) {
          if (written + 2 > room) break;
          destination[written++] = 0xc0 | (c >> 6);
          destination[written++] = 0x80 | (c & 63);
        } else {
          if (c >= 0xd800 && c <= 0xdfff) {
            const d = read + 1 < n ? s.charCodeAt(read + 1) : 0;
            if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
              if (written + 4 > room) break;
              c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
              destination[written++] = 0xf0 | (c >> 18);
              destination[written++] = 0x80 | ((c >> 12) & 63);
              destination[written++] = 0x80 | ((c >> 6) & 63);
              destination[written++] = 0x80 | (c & 63);
              read++;
              continue;
            }
            c = 0xfffd;
          }
          if (written + 3 > room) break;
          destination[written++] = 0xe0 | (c >> 12);
          destination[written++] = 0x80 | ((c >> 6) & 63);
          destination[written++] = 0x80 | (c & 63);
        }
      }
      return { read, written };
    }
  }

  // ----------------------------------------------------------- TextDecoder

  const UTF8 = "utf-8", UTF16LE = "utf-16le", UTF16BE = "utf-16be", WIN1252 = "windows-1252";
  const LABELS = { __proto__: null };
  for (const [name, labels] of [
    [UTF8, "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8"],
    [UTF16BE, "unicodefffe utf-16be"],
    [UTF16LE, "csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 utf-16le"],
    [WIN1252, "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 iso8859-1 iso88591 " +
      "iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252"],
  ]) {
    for (const label of labels.split(" ")) LABELS[label] = name;
  }
  // windows-1252's bytes 0x80-0x9F; the rest map to themselves.
  const W1252 = "\u20ac\x81\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\x8d\u017d\x8f" +
    "\x90\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\x9d\u017e\u0178";

  // The bytes of a BufferSource as a Uint8Array over the same memory.
  function bytesOf(input) {
    if (isView(input)) {
      if (apply(taTag, input) !== undefined) {
        return new Uint8ArrayCtor(apply(taBuffer, input), apply(taByteOffset, input), apply(taByteLength, input));
      }
      return new Uint8ArrayCtor(apply(dvBuffer, input), apply(dvByteOffset, input), apply(dvByteLength, input));
    }
    if (input !== null && typeof input === "object") {
      try {
        apply(abByteLength, input);
        return new Uint8ArrayCtor(input);
      } catch {}
      if (sabByteLength !== null) {
        try {
          apply(sabByteLength, input);
          return new Uint8ArrayCtor(input);
        } catch {}
      }
    }
    throw new TypeErrorCtor("TextDecoder.decode: The \"input\" argument must be an instance of ArrayBuffer or ArrayBufferView");
  }

  function invalid(encoding) {
    return new TypeErrorCtor(`The encoded data was not valid for encoding ${encoding}`);
  }

  class TextDecoder {
    #encoding;
    #fatal;
    #ignoreBOM;
    #bomSeen = false;
    #doNotFlush = false;
    #pending = []; // bytes of an incomplete sequence, kept when streaming

    constructor(label = UTF8, options = undefined) {
      const key = `${label}`.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, "").toLowerCase();
      const encoding = LABELS[key];
      if (encoding === undefined) throw new RangeErrorCtor(`The "${label}" encoding is not supported`);
      if (options !== undefined && options !== null && typeof options !== "object" && typeof options !== "function") {
        throw new TypeErrorCtor("TextDecoder: options must be an object");
      }
      this.#encoding = encoding;
      this.#fatal = options == null ? false : !!options.fatal;
      this.#ignoreBOM = options == null ? false : !!options.ignoreBOM;
    }

    get encoding() { return this.#encoding; }
    get fatal() { return this.#fatal; }
    get ignoreBOM() { return this.#ignoreBOM; }

    decode(input = undefined, options = undefined) {
      const encoding = this.#encoding;
      if (options !== undefined && options !== null && typeof options !== "object" && typeof options !== "function") {
        throw new TypeErrorCtor("TextDecoder.decode: options must be an object");
      }
      const stream = options == null ? false : !!options.stream;
      let bytes = input === undefined ? new Uint8ArrayCtor(0) : bytesOf(input);
      // A call after a flushing one starts afresh.
      const pending = this.#pending;
      if (!this.#doNotFlush) {
        pending.length = 0;
        this.#bomSeen = false;
      }
      this.#doNotFlush = stream;
      if (pending.length) {
        const joined = new Uint8ArrayCtor(pending.length + bytes.length);
        for (let i = 0; i < pending.length; i++) joined[i] = pending[i];
        joined.set(bytes, pending.length);
        bytes = joined;
        pending.length = 0;
      }
      let out;
      if (encoding === UTF8) out = this.#utf8(bytes, 0, stream);
      else if (encoding === WIN1252) return decode1252(bytes);
      else out = this.#utf16(bytes, 0, stream, encoding === UTF16BE);
      // The first code point out of the decoder is dropped if it is a BOM.
      if (!this.#ignoreBOM && !this.#bomSeen && out.length > 0) {
        this.#bomSeen = true;
        if (out.charCodeAt(0) === 0xfeff) out = out.slice(1);
      }
      return out;
    }

    #utf8(bytes, i, stream) {
      if (i === 0 && bytes.length >= FAST && !(stream && endsMidSequence(bytes))) {
        const fast = decodeFast(bytes);
        if (fast !== undefined) return fast;
      }
      const fatal = this.#fatal;
      const n = bytes.length;
      let out = "";
      const units = [];
      while (i < n) {
        // ASCII run.
        const b = bytes[i];
        if (b < 0x80) {
          units.push(b);
          i++;
        } else {
          let need, cp, lower = 0x80, upper = 0xbf;
          if (b >= 0xc2 && b <= 0xdf) { need = 1; cp = b & 0x1f; }
          else if (b >= 0xe0 && b <= 0xef) {
            need = 2; cp = b & 0xf;
            if (b === 0xe0) lower = 0xa0; else if (b === 0xed) upper = 0x9f;
          } else if (b >= 0xf0 && b <= 0xf4) {
            need = 3; cp = b & 0x7;
            if (b === 0xf0) lower = 0x90; else if (b === 0xf4) upper = 0x8f;
          } else {
            if (fatal) throw invalid(UTF8);
            units.push(0xfffd);
            i++;
            continue;
          }
          let j = i + 1;
          for (; need > 0; need--, j++) {
            if (j >= n) break;
            const x = bytes[j];
            if (x < lower || x > upper) break;
            cp = (cp << 6) | (x & 0x3f);
            lower = 0x80; upper = 0xbf;
          }
          if (need === 0) {
            if (cp >= 0x10000) {
              cp -= 0x10000;
              units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
            } else {
              units.push(cp);
            }
            i = j;
          } else if (j >= n && stream) {
            // Incomplete at the end of a chunk: keep it for the next call.
            for (let k = i; k < n; k++) this.#pending.push(bytes[k]);
            i = n;
          } else {
            // The maximal subpart bytes[i..j) is one error.
            if (fatal) throw invalid(UTF8);
            units.push(0xfffd);
            i = j;
          }
        }
        if (units.length >= CHUNK) {
          out += fromCharCode(...units);
          units.length = 0;
        }
      }
      return units.length ? out + fromCharCode(...units) : out;
    }

    #utf16(bytes, i, stream, bigEndian) {
      const fatal = this.#fatal;
      const n = bytes.length;
      let out = "";
      const units = [];
      let lead = -1; // a pending lead surrogate
      for (; i + 1 < n; i += 2) {
        const unit = bigEndian ? (bytes[i] << 8) | bytes[i + 1] : bytes[i] | (bytes[i + 1] << 8);
        if (lead >= 0) {
          if (unit >= 0xdc00 && unit <= 0xdfff) {
            units.push(lead, unit);
            lead = -1;
            continue;
          }
          if (fatal) throw invalid(bigEndian ? UTF16BE : UTF16LE);
          units.push(0xfffd);
          lead = -1;
        }
        if (unit >= 0xd800 && unit <= 0xdbff) {
          lead = unit;
        } else if (unit >= 0xdc00 && unit <= 0xdfff) {
          if (fatal) throw invalid(bigEndian ? UTF16BE : UTF16LE);
          units.push(0xfffd);
        } else {
          units.push(unit);
        }
        if (units.length >= CHUNK) {
          out += fromCharCode(...units);
          units.length = 0;
        }
      }
      const odd = i < n;
      if (stream) {
        if (lead >= 0) {
          if (bigEndian) this.#pending.push(lead >> 8, lead & 255);
          else this.#pending.push(lead & 255, lead >> 8);
        }
        if (odd) this.#pending.push(bytes[i]);
      } else if (lead >= 0 || odd) {
        if (fatal) throw invalid(bigEndian ? UTF16BE : UTF16LE);
        units.push(0xfffd);
      }
      return units.length ? out + fromCharCode(...units) : out;
    }
  }

  function decode1252(bytes) {
    let out = "";
    const n = bytes.length;
    for (let start = 0; start < n; start += CHUNK) {
      const units = [];
      const end = Math.min(n, start + CHUNK);
      for (let i = start; i < end; i++) {
        const b = bytes[i];
        units.push(b >= 0x80 && b < 0xa0 ? W1252.charCodeAt(b - 0x80) : b);
      }
      out += fromCharCode(...units);
    }
    return out;
  }

  // WebIDL: attributes and operations are enumerable; @@toStringTag names
  // the interface.
  for (const [ctor, names] of [
    [TextEncoder, ["encoding", "encode", "encodeInto"]],
    [TextDecoder, ["encoding", "fatal", "ignoreBOM", "decode"]],
  ]) {
    const proto = ctor.prototype;
    for (const name of names) {
      const desc = getOwnPropertyDescriptor(proto, name);
      desc.enumerable = true;
      defineProperty(proto, name, desc);
    }
    defineProperty(proto, Symbol.toStringTag, { value: ctor.name, configurable: true });
    defineProperty(global, ctor.name, { value: ctor, writable: true, enumerable: false, configurable: true });
  }
}
