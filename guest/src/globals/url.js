// URL and URLSearchParams, after the WHATWG URL Standard.
//
// The parser is a port of the reference implementation's state machine,
// whatwg-url@17.3.0 (lib/url-state-machine.js, lib/url-miscellaneous.js,
// lib/percent-encoding.js, lib/urlencoded.js and the URL / URLSearchParams
// impls), rewritten with integer states and without validation-error
// reporting. Punycode is from punycode@2.3.1 and the virama class from
// tr46@7.0.0. Everything else (the UTS #46 mapping approximation, the
// WebIDL surface) is codemode's own.
//
// whatwg-url: The MIT License (MIT), Copyright (c) Sebastian Mayr.
// punycode:   MIT, Copyright Mathias Bynens <https://mathiasbynens.be/>.
// tr46:       MIT, Copyright (c) Sebastian Mayr.
// Permission is hereby granted, free of charge, to any person obtaining a
// copy of this software and associated documentation files (the
// "Software"), to deal in the Software without restriction, including
// without limitation the rights to use, copy, modify, merge, publish,
// distribute, sublicense, and/or sell copies of the Software, and to permit
// persons to whom the Software is furnished to do so, subject to the
// following conditions: The above copyright notice and this permission
// notice shall be included in all copies or substantial portions of the
// Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,
// EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
// MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN
// NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
// DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
// OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE
// USE OR OTHER DEALINGS IN THE SOFTWARE.
//
// Evaluates to a function that installs `URL` and `URLSearchParams` on the
// global object. Deviations, all in host parsing of non-ASCII domains
// (UTS #46 without its 200 KB data table, see domainToASCII): the mapping
// and the statuses are approximated from NFKC, case conversion and Unicode
// properties, Bidi_Class from script ranges. ASCII hosts, IPv4, IPv6 and
// every other part of the standard are exact.
() => {
  "use strict";
  const global = globalThis;
  const { defineProperty, defineProperties, getOwnPropertyDescriptor } = Object;
  const { fromCharCode, fromCodePoint } = String;
  const ownKeys = Reflect.ownKeys;
  const iteratorSymbol = Symbol.iterator;
  const TypeErrorCtor = TypeError;
  const floor = Math.floor;

  // ---------------------------------------------------------------- infra

  const isDigit = (c) => c >= 0x30 && c <= 0x39;
  const isAlpha = (c) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  const isAlnum = (c) => isAlpha(c) || isDigit(c);
  const isHex = (c) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
  const hexValue = (c) => (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57);
  const nonAscii = /[^\0-\x7f]/;
  const HEX = "0123456789ABCDEF";

  // WebIDL USVString: ToString (a Symbol throws a TypeError), then lone
  // surrogates become U+FFFD.
  const usv = (value) => `${value}`.toWellFormed();

  function required(count, have, what) {
    if (have < count) {
      throw new TypeErrorCtor(`${what}: ${count} argument${count > 1 ? "s" : ""} required, but only ${have} present`);
    }
  }

  // -------------------------------------------------------- percent-encode

  // Bit flags per ASCII code point, one per percent-encode set beyond the
  // C0 control set (which is: c < 0x20 || c > 0x7e).
  const E_FRAGMENT = 1, E_QUERY = 2, E_SPECIAL_QUERY = 4, E_PATH = 8, E_USERINFO = 16, E_COMPONENT = 32, E_FORM = 64;
  const SETS = new Uint8Array(128);
  const mark = (chars, flags) => { for (let i = 0; i < chars.length; i++) SETS[chars.charCodeAt(i)] |= flags; };
  mark(" \"<>`", E_FRAGMENT);
  mark(" \"#<>", E_QUERY | E_SPECIAL_QUERY | E_PATH | E_USERINFO | E_COMPONENT | E_FORM);
  mark("'", E_SPECIAL_QUERY);
  mark("?`{}^", E_PATH | E_USERINFO | E_COMPONENT | E_FORM);
  mark("/:;=@[\\]|", E_USERINFO | E_COMPONENT | E_FORM);
  mark("$%&+,", E_COMPONENT | E_FORM);
  mark("!'()~", E_FORM);
  const E_C0 = 0;

  const inSet = (c, set) => c < 0x20 || c > 0x7e || (SETS[c] & set) !== 0;
  // An ASCII code point copied as it is (EOF, -1, is not).
  const plain = (c, set) => c >= 0x20 && c <= 0x7e && (SETS[c] & set) === 0;
  const pct = (b) => "%" + HEX[b >> 4] + HEX[b & 15];

  // UTF-8 percent-encodes one code point.
  function encodeCodePoint(c, set) {
    if (c < 0x80) return inSet(c, set) ? pct(c) : fromCharCode(c);
    if (c < 0x800) return pct(0xc0 | (c >> 6)) + pct(0x80 | (c & 63));
    if (c < 0x10000) return pct(0xe0 | (c >> 12)) + pct(0x80 | ((c >> 6) & 63)) + pct(0x80 | (c & 63));
    return pct(0xf0 | (c >> 18)) + pct(0x80 | ((c >> 12) & 63)) + pct(0x80 | ((c >> 6) & 63)) + pct(0x80 | (c & 63));
  }

  // UTF-8 percent-encodes a (well-formed) string; `spaceAsPlus` for forms.
  function encodeString(s, set, spaceAsPlus) {
    let out = "";
    let start = 0;
    const n = s.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80 && !(spaceAsPlus && c === 0x20) && !inSet(c, set)) continue;
      out += s.slice(start, i);
      if (spaceAsPlus && c === 0x20) {
        out += "+";
      } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        out += encodeCodePoint(s.codePointAt(i), set);
        i++;
      } else {
        out += encodeCodePoint(c, set);
      }
      start = i + 1;
    }
    return start === 0 ? s : out + s.slice(start);
  }

  // UTF-8 bytes of a well-formed string.
  function utf8Encode(s) {
    const bytes = [];
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) { bytes.push(c); continue; }
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) { c = s.codePointAt(i); i++; }
      if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else bytes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return bytes;
  }

  // UTF-8 decode without BOM, each error a U+FFFD: encoding.js's decoder
  // (installed first), captured with its method so that a program cannot
  // change it.
  const utf8Decoder = new global.TextDecoder("utf-8", { ignoreBOM: true });
  const decodeMethod = global.TextDecoder.prototype.decode;
  const apply = Reflect.apply;
  const Uint8ArrayCtor = Uint8Array;
  function utf8Decode(bytes) {
    const array = new Uint8ArrayCtor(bytes.length);
    for (let i = 0; i < bytes.length; i++) array[i] = bytes[i];
    return apply(decodeMethod, utf8Decoder, [array]);
  }

  // Percent-decodes a byte list in place of a copy.
  function percentDecodeBytes(bytes) {
    const out = [];
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b === 0x25 && i + 2 < bytes.length && isHex(bytes[i + 1]) && isHex(bytes[i + 2])) {
        out.push(hexValue(bytes[i + 1]) * 16 + hexValue(bytes[i + 2]));
        i += 2;
      } else {
        out.push(b);
      }
    }
    return out;
  }

  // String percent-decode then UTF-8 decode without BOM.
  function percentDecodeString(s) {
    if (s.indexOf("%") < 0) return s;
    return utf8Decode(percentDecodeBytes(utf8Encode(s)));
  }

  // ------------------------------------------------ application/x-www-form-urlencoded

  function parseForm(input) {
    const list = [];
    const parts = input.split("&");
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (part === "") continue;
      const eq = part.indexOf("=");
      let name = eq < 0 ? part : part.slice(0, eq);
      let value = eq < 0 ? "" : part.slice(eq + 1);
      if (name.indexOf("+") >= 0) name = name.replaceAll("+", " ");
      if (value.indexOf("+") >= 0) value = value.replaceAll("+", " ");
      list.push([percentDecodeString(name), percentDecodeString(value)]);
    }
    return list;
  }

  function serializeForm(list) {
    let out = "";
    for (let i = 0; i < list.length; i++) {
      if (i) out += "&";
      out += encodeString(list[i][0], E_FORM, true) + "=" + encodeString(list[i][1], E_FORM, true);
    }
    return out;
  }

  // ------------------------------------------------------------- punycode

  const BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700, MAXINT = 0x7fffffff;

  function adapt(delta, numPoints, firstTime) {
    let k = 0;
    delta = firstTime ? floor(delta / DAMP) : delta >> 1;
    delta += floor(delta / numPoints);
    for (; delta > ((BASE - TMIN) * TMAX) >> 1; k += BASE) delta = floor(delta / (BASE - TMIN));
    return floor(k + ((BASE - TMIN + 1) * delta) / (delta + SKEW));
  }

  // Returns the decoded label, or null if `input` is not valid Punycode.
  function punycodeDecode(input) {
    const output = [];
    let i = 0, n = 128, bias = 72;
    let basic = input.lastIndexOf("-");
    if (basic < 0) basic = 0;
    for (let j = 0; j < basic; ++j) {
      if (input.charCodeAt(j) >= 0x80) return null;
      output.push(input.charCodeAt(j));
    }
    for (let index = basic > 0 ? basic + 1 : 0; index < input.length;) {
      const oldi = i;
      for (let w = 1, k = BASE; ; k += BASE) {
        if (index >= input.length) return null;
        const c = input.charCodeAt(index++);
        const digit = c - 0x30 < 10 ? c - 22 : c - 0x41 < 26 ? c - 0x41 : c - 0x61 < 26 ? c - 0x61 : BASE;
        if (digit >= BASE || digit > floor((MAXINT - i) / w)) return null;
        i += digit * w;
        const t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
        if (digit < t) break;
        if (w > floor(MAXINT / (BASE - t))) return null;
        w *= BASE - t;
      }
      const out = output.length + 1;
      bias = adapt(i - oldi, out, oldi === 0);
      if (floor(i / out) > MAXINT - n) return null;
      n += floor(i / out);
      i %= out;
      if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return null;
      output.splice(i++, 0, n);
    }
    return fromCodePoint(...output);
  }

  function punycodeEncode(label) {
    const input = [];
    for (const ch of label) input.push(ch.codePointAt(0));
    let output = "";
    for (const c of input) if (c < 0x80) output += fromCharCode(c);
    const basicLength = output.length;
    let handled = basicLength;
    if (basicLength) output += "-";
    let n = 128, delta = 0, bias = 72;
    while (handled < input.length) {
      let m = MAXINT;
      for (const c of input) if (c >= n && c < m) m = c;
      delta += (m - n) * (handled + 1);
      n = m;
      for (const c of input) {
        if (c < n) ++delta;
        if (c === n) {
          let q = delta;
          for (let k = BASE; ; k += BASE) {
            const t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
            if (q < t) break;
            const d = t + ((q - t) % (BASE - t));
            output += fromCharCode(d + 22 + 75 * (d < 26));
            q = floor((q - t) / (BASE - t));
          }
          output += fromCharCode(q + 22 + 75 * (q < 26));
          bias = adapt(delta, handled + 1, handled === basicLength);
          delta = 0;
          ++handled;
        }
      }
      ++delta;
      ++n;
    }
    return output;
  }

  // ------------------------------------------------------ domain to ASCII

  // UTS #46 ToASCII with CheckHyphens, UseSTD3ASCIIRules and VerifyDnsLength
  // false, CheckBidi and CheckJoiners true, Nontransitional_Processing, as
  // the URL Standard calls it. Without UTS #46's data table: the mapping is
  // NFKC plus case folding (lowercasing of the uppercased string, which
  // keeps ß, ς and ı, as nontransitional processing does), the "ignored" code
  // points are listed, "disallowed" is approximated by general categories C
  // and Z, default-ignorable code points, U+FFFD and the code points whose
  // NFKC form holds a full stop, and Bidi_Class by script ranges and general
  // categories. idna_check.mjs measures the result against a full
  // implementation.
  // The regular expressions with Unicode properties are compiled on first
  // use: each costs several kilobytes of heap, and most programs never meet
  // a non-ASCII host.
  const lazy = (source, flags) => {
    let re = null;
    return { test: (s) => (re ??= new RegExp(source, flags)).test(s) };
  };
  const ignored = /[\u00ad\u034f\u180b-\u180d\u180f\u200b\u2060\u2064\ufe00-\ufe0f\ufeff\u{1bca0}-\u{1bca3}\u{e0100}-\u{e01ef}]/gu;
  const disallowed = lazy(String.raw`[[\p{C}\p{Z}\p{Default_Ignorable_Code_Point}\ufffc\ufffd]--[\u200c\u200d]]`, "v");
  const fullStops = /[.\u3002\uff0e\uff61]/g;
  const nonAsciiRun = /[^\0-\x7f]+/g;
  const asciiUpper = /[A-Z]+/g;
  const caseFoldRun = /[^\xdf\u03c2\u0131]+/g;
  const virama = /[\u094D\u09CD\u0A4D\u0ACD\u0B4D\u0BCD\u0C4D\u0CCD\u0D3B\u0D3C\u0D4D\u0DCA\u0E3A\u0EBA\u0F84\u1039\u103A\u1714\u1715\u1734\u17D2\u1A60\u1B44\u1BAA\u1BAB\u1BF2\u1BF3\u2D7F\uA806\uA82C\uA8C4\uA953\uA9C0\uAAF6\uABED\u{10A3F}\u{11046}\u{11070}\u{1107F}\u{110B9}\u{11133}\u{11134}\u{111C0}\u{11235}\u{112EA}\u{1134D}\u{113CE}-\u{113D0}\u{11442}\u{114C2}\u{115BF}\u{1163F}\u{116B6}\u{1172B}\u{11839}\u{1193D}\u{1193E}\u{119E0}\u{11A34}\u{11A47}\u{11A99}\u{11C3F}\u{11D44}\u{11D45}\u{11D97}\u{11F41}\u{11F42}\u{1612F}]/u;
  const joining = lazy(String.raw`[\p{Script=Arabic}\p{Script=Syriac}\p{Script=Nko}\p{Script=Mongolian}\p{Script=Mandaic}\p{Script=Manichaean}\p{Script=Phags_Pa}\p{Script=Psalter_Pahlavi}]`, "u");
  const combining = lazy(String.raw`^\p{M}`, "u");
  // Bidi classes, approximated: right-to-left is a letter in the blocks
  // whose default class is R or AL.
  const BIDI_L = 1, BIDI_R = 2, BIDI_AN = 3, BIDI_EN = 4, BIDI_NSM = 5, BIDI_ES = 6, BIDI_CS = 7, BIDI_ET = 8, BIDI_ON = 9;
  const bidiNSM = lazy(String.raw`[\p{Mn}\p{Me}]`, "u");
  const bidiAN = /[\u0600-\u0605\u0660-\u0669\u066b\u066c\u06dd\u0890\u0891\u08e2\u{10d30}-\u{10d39}\u{10e60}-\u{10e7e}]/u;
  const bidiEN = /[0-9\u06f0-\u06f9]/;
  const bidiRTL = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\u{10800}-\u{10fff}\u{1e800}-\u{1efff}]/u;
  const bidiNeutralInRTL = /[\u0606\u0607\u0609\u060a\u060c\u060e\u060f\u061d\u066a\u06de\u06e9\u07f6-\u07f9\ufbc2\ufd3e-\ufd4f\ufdcf\ufdfd-\ufdff]/;
  const bidiLetter = lazy(String.raw`[\p{L}\p{Mc}\p{Nl}\p{No}\p{Nd}]`, "u");
  const bidiET = lazy(String.raw`[#$%\p{Sc}\u00b0\u00b1\u2030-\u2034]`, "u");
  function bidiClass(ch) {
    if (bidiNSM.test(ch)) return BIDI_NSM;
    if (bidiAN.test(ch)) return BIDI_AN;
    if (bidiEN.test(ch)) return BIDI_EN;
    if (bidiLetter.test(ch)) return bidiRTL.test(ch) ? BIDI_R : BIDI_L;
    if (ch === "-" || ch === "+") return BIDI_ES;
    if (ch === "," || ch === "." || ch === "/" || ch === ":") return BIDI_CS;
    if (bidiRTL.test(ch) && !bidiNeutralInRTL.test(ch)) return BIDI_R;
    if (bidiET.test(ch)) return BIDI_ET;
    return BIDI_ON;
  }
  const isRtlDomainChar = (ch) => { const k = bidiClass(ch); return k === BIDI_R || k === BIDI_AN; };

  // RFC 5893 section 2, for a label of a domain with right-to-left labels.
  function validBidi(label) {
    const classes = Array.from(label, bidiClass);
    if (classes.length === 0) return true;
    let last = classes.length - 1;
    while (last > 0 && classes[last] === BIDI_NSM) last--;
    if (classes[0] === BIDI_R) {
      let en = false, an = false;
      for (const k of classes) {
        if (k === BIDI_L) return false;
        if (k === BIDI_EN) en = true;
        if (k === BIDI_AN) an = true;
      }
      const end = classes[last];
      return !(en && an) && (end === BIDI_R || end === BIDI_EN || end === BIDI_AN);
    }
    if (classes[0] !== BIDI_L) return false;
    for (const k of classes) if (k === BIDI_R || k === BIDI_AN) return false;
    return classes[last] === BIDI_L || classes[last] === BIDI_EN;
  }

  function validLabel(label, bidi) {
    if (label === "") return true;
    if (label.normalize("NFC") !== label) return false;
    if (label.startsWith("xn--")) return false;
    if (label.includes(".")) return false;
    if (combining.test(label)) return false;
    if (disallowed.test(label)) return false;
    // CheckJoiners (RFC 5892 appendix A.1 and A.2), with ZWNJ's joining
    // context approximated by joining scripts on both sides.
    const cps = Array.from(label);
    for (let i = 0; i < cps.length; i++) {
      const ch = cps[i];
      if (ch !== "\u200c" && ch !== "\u200d") continue;
      if (i > 0 && virama.test(cps[i - 1])) continue;
      if (ch === "\u200c" && i > 0 && i + 1 < cps.length && joining.test(cps[i - 1]) && joining.test(cps[i + 1])) continue;
      return false;
    }
    return !bidi || validBidi(label);
  }

  // Maps a run of non-ASCII code points.
  function mapRun(run) {
    let out = "";
    for (const ch of run) {
      if (ch === "\u03f2" || ch === "\u03f9") { out += "\u03c3"; continue; } // lunate sigma
      const n = ch.normalize("NFKC");
      // A code point that NFKC turns into a full stop (other than the
      // full stops themselves) is disallowed.
      if (n !== ch && n.search(fullStops) >= 0 && ch.search(fullStops) < 0) return null;
      out += n;
    }
    return out.replace(caseFoldRun, (s) => s.toUpperCase().toLowerCase())
      // Cherokee folds to its capital letters.
      .replace(/[\uab70-\uabbf]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xab70 + 0x13a0))
      .replace(/[\u13f8-\u13fd]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 8));
  }

  function domainToASCII(domain) {
    if (!nonAscii.test(domain)) {
      // The standard: for web compatibility an ASCII domain is lowercased,
      // whatever ToASCII would say.
      return domain.toLowerCase();
    }
    // 1. Map (approximated), 2. normalize.
    let failed = false;
    const mapped = domain.replace(ignored, "").replace(asciiUpper, (c) => c.toLowerCase()).replace(nonAsciiRun, (run) => {
      const m = mapRun(run);
      if (m === null) failed = true;
      return m ?? "";
    });
    if (failed) return null;
    const normalized = mapped.replace(fullStops, ".").normalize("NFC");
    // 3. Break, 4. convert/validate, then encode.
    const labels = normalized.split(".");
    const unicode = labels.map((label) => label.startsWith("xn--") ? punycodeDecode(label.slice(4)) : label);
    const bidi = unicode.some((label) => label !== null && Array.from(label).some(isRtlDomainChar));
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i];
      if (label.startsWith("xn--")) {
        if (nonAscii.test(label)) return null;
        const decoded = unicode[i];
        if (decoded === null || decoded === "" || !nonAscii.test(decoded)) return null;
        if (!validLabel(decoded, bidi)) return null;
        continue;
      }
      if (!validLabel(label, bidi)) return null;
      if (nonAscii.test(label)) labels[i] = "xn--" + punycodeEncode(label);
    }
    return labels.join(".");
  }

  // ------------------------------------------------------------------ hosts

  // Hosts: a string (domain, opaque host or empty host), a number (IPv4)
  // or an array of eight numbers (IPv6).
  const forbiddenHost = /[\0\t\n\r #/:<>?@[\\\]^|]/;
  const forbiddenDomain = /[\0-\x1f #%/:<>?@[\\\]^|\x7f]/;

  function parseIPv4Number(s) {
    if (s === "") return NaN;
    let radix = 10;
    if (s.length >= 2 && s[0] === "0" && (s[1] === "x" || s[1] === "X")) { s = s.slice(2); radix = 16; }
    else if (s.length >= 2 && s[0] === "0") { s = s.slice(1); radix = 8; }
    if (s === "") return 0;
    const valid = radix === 10 ? /^[0-9]+$/ : radix === 16 ? /^[0-9A-Fa-f]+$/ : /^[0-7]+$/;
    if (!valid.test(s)) return NaN;
    return parseInt(s, radix);
  }

  function endsInANumber(s) {
    const parts = s.split(".");
    if (parts[parts.length - 1] === "") {
      if (parts.length === 1) return false;
      parts.pop();
    }
    const last = parts[parts.length - 1];
    return /^[0-9]+$/.test(last) || !Number.isNaN(parseIPv4Number(last));
  }

  // Returns the address as a number, or null on failure.
  function parseIPv4(s) {
    const parts = s.split(".");
    if (parts[parts.length - 1] === "" && parts.length > 1) parts.pop();
    if (parts.length > 4) return null;
    const numbers = [];
    for (const part of parts) {
      const n = parseIPv4Number(part);
      if (Number.isNaN(n)) return null;
      numbers.push(n);
    }
    for (let i = 0; i < numbers.length - 1; i++) if (numbers[i] > 255) return null;
    if (numbers[numbers.length - 1] >= 256 ** (5 - numbers.length)) return null;
    let ipv4 = numbers.pop();
    for (let i = 0; i < numbers.length; i++) ipv4 += numbers[i] * 256 ** (3 - i);
    return ipv4;
  }

  function parseIPv6(s) {
    const address = [0, 0, 0, 0, 0, 0, 0, 0];
    let pieceIndex = 0, compress = null, pointer = 0;
    const input = Array.from(s, (ch) => ch.codePointAt(0));
    const COLON = 0x3a, DOT = 0x2e;
    if (input[0] === COLON) {
      if (input[1] !== COLON) return null;
      pointer = 2;
      compress = ++pieceIndex;
    }
    while (pointer < input.length) {
      if (pieceIndex === 8) return null;
      if (input[pointer] === COLON) {
        if (compress !== null) return null;
        ++pointer;
        compress = ++pieceIndex;
        continue;
      }
      let value = 0, length = 0;
      while (length < 4 && isHex(input[pointer])) {
        value = value * 16 + hexValue(input[pointer]);
        ++pointer;
        ++length;
      }
      if (input[pointer] === DOT) {
        if (length === 0) return null;
        pointer -= length;
        if (pieceIndex > 6) return null;
        let numbersSeen = 0;
        while (input[pointer] !== undefined) {
          let piece = null;
          if (numbersSeen > 0) {
            if (input[pointer] === DOT && numbersSeen < 4) ++pointer;
            else return null;
          }
          if (!isDigit(input[pointer])) return null;
          while (isDigit(input[pointer])) {
            const number = input[pointer] - 0x30;
            if (piece === null) piece = number;
            else if (piece === 0) return null;
            else piece = piece * 10 + number;
            if (piece > 255) return null;
            ++pointer;
          }
          address[pieceIndex] = address[pieceIndex] * 0x100 + piece;
          ++numbersSeen;
          if (numbersSeen === 2 || numbersSeen === 4) ++pieceIndex;
        }
        if (numbersSeen !== 4) return null;
        break;
      } else if (input[pointer] === COLON) {
        ++pointer;
        if (input[pointer] === undefined) return null;
      } else if (input[pointer] !== undefined) {
        return null;
      }
      address[pieceIndex++] = value;
    }
    if (compress !== null) {
      let swaps = pieceIndex - compress;
      pieceIndex = 7;
      while (pieceIndex !== 0 && swaps > 0) {
        const temp = address[compress + swaps - 1];
        address[compress + swaps - 1] = address[pieceIndex];
        address[pieceIndex] = temp;
        --pieceIndex;
        --swaps;
      }
    } else if (pieceIndex !== 8) {
      return null;
    }
    return address;
  }

  // Returns the host, or undefined on failure.
  function parseHost(input, isOpaque) {
    if (input[0] === "[") {
      if (input[input.length - 1] !== "]") return undefined;
      return parseIPv6(input.slice(1, -1)) ?? undefined;
    }
    if (isOpaque) {
      if (forbiddenHost.test(input)) return undefined;
      return encodeString(input, E_C0, false);
    }
    const domain = percentDecodeString(input);
    const ascii = domainToASCII(domain);
    if (ascii === null || ascii === "" || forbiddenDomain.test(ascii)) return undefined;
    if (endsInANumber(ascii)) return parseIPv4(ascii) ?? undefined;
    return ascii;
  }

  function serializeIPv6(address) {
    // The first longest run of two or more zero pieces is compressed.
    let compress = -1, best = 1;
    for (let i = 0; i < 8;) {
      if (address[i] !== 0) { i++; continue; }
      let j = i;
      while (j < 8 && address[j] === 0) j++;
      if (j - i > best) { best = j - i; compress = i; }
      i = j;
    }
    let out = "";
    for (let i = 0; i < 8; i++) {
      if (i === compress) {
        out += i === 0 ? "::" : ":";
        i += best - 1;
        continue;
      }
      out += address[i].toString(16);
      if (i !== 7) out += ":";
    }
    return out;
  }

  function serializeHost(host) {
    if (typeof host === "number") {
      return `${host >>> 24}.${(host >>> 16) & 255}.${(host >>> 8) & 255}.${host & 255}`;
    }
    if (typeof host === "object") return `[${serializeIPv6(host)}]`;
    return host;
  }

  // --------------------------------------------------------------- the parser

  const SPECIAL = { __proto__: null, ftp: 21, file: null, http: 80, https: 443, ws: 80, wss: 443 };
  const isSpecialScheme = (scheme) => scheme in SPECIAL;
  const defaultPort = (scheme) => SPECIAL[scheme];

  const SCHEME_START = 1, SCHEME = 2, NO_SCHEME = 3, SPECIAL_RELATIVE_OR_AUTHORITY = 4,
    PATH_OR_AUTHORITY = 5, RELATIVE = 6, RELATIVE_SLASH = 7, SPECIAL_AUTHORITY_SLASHES = 8,
    SPECIAL_AUTHORITY_IGNORE_SLASHES = 9, AUTHORITY = 10, HOST = 11, HOSTNAME = 12, PORT = 13,
    FILE = 14, FILE_SLASH = 15, FILE_HOST = 16, PATH_START = 17, PATH = 18, OPAQUE_PATH = 19,
    QUERY = 20, FRAGMENT = 21;

  const EOF = -1;
  const isWindowsDriveLetter = (s) => s.length === 2 && isAlpha(s.charCodeAt(0)) && (s[1] === ":" || s[1] === "|");
  const isNormalizedWindowsDriveLetter = (s) => s.length === 2 && isAlpha(s.charCodeAt(0)) && s[1] === ":";

  function startsWithWindowsDriveLetter(input, pointer) {
    const length = input.length - pointer;
    if (length < 2 || !isAlpha(input[pointer]) || (input[pointer + 1] !== 0x3a && input[pointer + 1] !== 0x7c)) return false;
    if (length === 2) return true;
    const c = input[pointer + 2];
    return c === 0x2f || c === 0x5c || c === 0x3f || c === 0x23;
  }

  const isSingleDot = (b) => b === "." || b === "%2e" || b === "%2E";
  const isDoubleDot = (b) => {
    switch (b.length) {
      case 2: return b === "..";
      case 4: b = b.toLowerCase(); return b === ".%2e" || b === "%2e.";
      case 6: return b.toLowerCase() === "%2e%2e";
      default: return false;
    }
  };

  function shortenPath(url) {
    const path = url.path;
    if (path.length === 0) return;
    if (url.scheme === "file" && path.length === 1 && isNormalizedWindowsDriveLetter(path[0])) return;
    path.pop();
  }

  const includesCredentials = (url) => url.username !== "" || url.password !== "";
  const hasOpaquePath = (url) => typeof url.path === "string";
  const cannotHaveUsernamePasswordPort = (url) => url.host === null || url.host === "" || url.scheme === "file";

  function newRecord() {
    return { scheme: "", username: "", password: "", host: null, port: null, path: [], query: null, fragment: null };
  }

  const trimC0 = /^[\0-\x20]+|[\0-\x20]+$/g;
  const tabOrNewline = /[\t\n\r]/g;

  // The basic URL parser. Without `url`, returns a new record or null on
  // failure. With `url` and `override` (a state), it modifies `url` in place
  // (the setters), returning null on failure.
  function parse(string, base, url, override) {
    if (!url) {
      url = newRecord();
      string = string.replace(trimC0, "");
    }
    string = string.replace(tabOrNewline, "");
    const input = [];
    for (let i = 0; i < string.length; i++) {
      const c = string.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff) { input.push(string.codePointAt(i)); i++; } else input.push(c);
    }
    const len = input.length;
    // Without astral code points, code point indices are string indices:
    // runs of characters that are copied as they are can be sliced out of
    // the string at once (the fast paths below).
    const bmp = len === string.length;
    let state = override || SCHEME_START;
    let buffer = "";
    let atSignSeen = false, insideBrackets = false, passwordTokenSeen = false;
    let special = isSpecialScheme(url.scheme);

    for (let pointer = 0; pointer <= len; pointer++) {
      const c = pointer < len ? input[pointer] : EOF;
      switch (state) {
        case SCHEME_START:
          if (isAlpha(c)) {
            buffer += fromCharCode(c | 0x20);
            state = SCHEME;
          } else if (!override) {
            state = NO_SCHEME;
            --pointer;
          } else {
            return null;
          }
          break;

        case SCHEME:
          if (isAlnum(c) || c === 0x2b || c === 0x2d || c === 0x2e) {
            buffer += fromCharCode(c >= 0x41 && c <= 0x5a ? c | 0x20 : c);
          } else if (c === 0x3a) {
            if (override) {
              const bufferSpecial = isSpecialScheme(buffer);
              if (special !== bufferSpecial) return url;
              if ((includesCredentials(url) || url.port !== null) && buffer === "file") return url;
              if (url.scheme === "file" && url.host === "") return url;
            }
            url.scheme = buffer;
            special = isSpecialScheme(buffer);
            if (override) {
              if (url.port === defaultPort(url.scheme)) url.port = null;
              return url;
            }
            buffer = "";
            if (url.scheme === "file") {
              state = FILE;
            } else if (special && base !== null && base.scheme === url.scheme) {
              state = SPECIAL_RELATIVE_OR_AUTHORITY;
            } else if (special) {
              state = SPECIAL_AUTHORITY_SLASHES;
            } else if (input[pointer + 1] === 0x2f) {
              state = PATH_OR_AUTHORITY;
              ++pointer;
            } else {
              url.path = "";
              state = OPAQUE_PATH;
            }
          } else if (!override) {
            buffer = "";
            state = NO_SCHEME;
            pointer = -1;
          } else {
            return null;
          }
          break;

        case NO_SCHEME:
          if (base === null || (hasOpaquePath(base) && c !== 0x23)) {
            return null;
          } else if (hasOpaquePath(base) && c === 0x23) {
            url.scheme = base.scheme;
            special = isSpecialScheme(url.scheme);
            url.path = base.path;
            url.query = base.query;
            url.fragment = "";
            state = FRAGMENT;
          } else if (base.scheme === "file") {
            state = FILE;
            --pointer;
          } else {
            state = RELATIVE;
            --pointer;
          }
          break;

        case SPECIAL_RELATIVE_OR_AUTHORITY:
          if (c === 0x2f && input[pointer + 1] === 0x2f) {
            state = SPECIAL_AUTHORITY_IGNORE_SLASHES;
            ++pointer;
          } else {
            state = RELATIVE;
            --pointer;
          }
          break;

        case PATH_OR_AUTHORITY:
          if (c === 0x2f) {
            state = AUTHORITY;
          } else {
            state = PATH;
            --pointer;
          }
          break;

        case RELATIVE:
          url.scheme = base.scheme;
          special = isSpecialScheme(url.scheme);
          if (c === 0x2f || (special && c === 0x5c)) {
            state = RELATIVE_SLASH;
          } else {
            url.username = base.username;
            url.password = base.password;
            url.host = base.host;
            url.port = base.port;
            url.path = base.path.slice();
            url.query = base.query;
            if (c === 0x3f) {
              url.query = "";
              state = QUERY;
            } else if (c === 0x23) {
              url.fragment = "";
              state = FRAGMENT;
            } else if (c !== EOF) {
              url.query = null;
              url.path.pop();
              state = PATH;
              --pointer;
            }
          }
          break;

        case RELATIVE_SLASH:
          if (special && (c === 0x2f || c === 0x5c)) {
            state = SPECIAL_AUTHORITY_IGNORE_SLASHES;
          } else if (c === 0x2f) {
            state = AUTHORITY;
          } else {
            url.username = base.username;
            url.password = base.password;
            url.host = base.host;
            url.port = base.port;
            state = PATH;
            --pointer;
          }
          break;

        case SPECIAL_AUTHORITY_SLASHES:
          if (c === 0x2f && input[pointer + 1] === 0x2f) {
            ++pointer;
          } else {
            --pointer;
          }
          state = SPECIAL_AUTHORITY_IGNORE_SLASHES;
          break;

        case SPECIAL_AUTHORITY_IGNORE_SLASHES:
          if (c !== 0x2f && c !== 0x5c) {
            state = AUTHORITY;
            --pointer;
          }
          break;

        case AUTHORITY:
          if (c === 0x40) {
            if (atSignSeen) buffer = "%40" + buffer;
            atSignSeen = true;
            for (const ch of buffer) {
              const cp = ch.codePointAt(0);
              if (cp === 0x3a && !passwordTokenSeen) {
                passwordTokenSeen = true;
                continue;
              }
              const encoded = encodeCodePoint(cp, E_USERINFO);
              if (passwordTokenSeen) url.password += encoded;
              else url.username += encoded;
            }
            buffer = "";
          } else if (c === EOF || c === 0x2f || c === 0x3f || c === 0x23 || (special && c === 0x5c)) {
            if (atSignSeen && buffer === "") return null;
            let count = buffer.length;
            if (!bmp) { count = 0; for (const _ of buffer) count++; }
            pointer -= count + 1;
            buffer = "";
            state = HOST;
          } else if (bmp) {
            let j = pointer + 1;
            for (; j < len; j++) {
              const d = input[j];
              if (d === 0x40 || d === 0x2f || d === 0x3f || d === 0x23 || (special && d === 0x5c)) break;
            }
            buffer += string.slice(pointer, j);
            pointer = j - 1;
          } else {
            buffer += fromCodePoint(c);
          }
          break;

        case HOST:
        case HOSTNAME:
          if (override && url.scheme === "file") {
            --pointer;
            state = FILE_HOST;
          } else if (c === 0x3a && !insideBrackets) {
            if (buffer === "") return null;
            if (override === HOSTNAME) return null;
            const host = parseHost(buffer, !special);
            if (host === undefined) return null;
            url.host = host;
            buffer = "";
            state = PORT;
          } else if (c === EOF || c === 0x2f || c === 0x3f || c === 0x23 || (special && c === 0x5c)) {
            --pointer;
            if (special && buffer === "") return null;
            if (override && buffer === "" && (includesCredentials(url) || url.port !== null)) return null;
            const host = parseHost(buffer, !special);
            if (host === undefined) return null;
            url.host = host;
            buffer = "";
            state = PATH_START;
            if (override) return url;
          } else {
            if (c === 0x5b) insideBrackets = true;
            else if (c === 0x5d) insideBrackets = false;
            else if (bmp) {
              let j = pointer + 1;
              for (; j < len; j++) {
                const d = input[j];
                if (d === 0x3a || d === 0x2f || d === 0x3f || d === 0x23 || d === 0x5b || d === 0x5d || (special && d === 0x5c)) break;
              }
              buffer += string.slice(pointer, j);
              pointer = j - 1;
              break;
            }
            buffer += fromCodePoint(c);
          }
          break;

        case PORT:
          if (isDigit(c)) {
            buffer += fromCharCode(c);
          } else if (c === EOF || c === 0x2f || c === 0x3f || c === 0x23 || (special && c === 0x5c) || override) {
            if (buffer !== "") {
              const port = parseInt(buffer, 10);
              if (port > 65535) return null;
              url.port = port === defaultPort(url.scheme) ? null : port;
              buffer = "";
              if (override) return url;
            }
            if (override) return null;
            state = PATH_START;
            --pointer;
          } else {
            return null;
          }
          break;

        case FILE:
          url.scheme = "file";
          special = true;
          url.host = "";
          if (c === 0x2f || c === 0x5c) {
            state = FILE_SLASH;
          } else if (base !== null && base.scheme === "file") {
            url.host = base.host;
            url.path = base.path.slice();
            url.query = base.query;
            if (c === 0x3f) {
              url.query = "";
              state = QUERY;
            } else if (c === 0x23) {
              url.fragment = "";
              state = FRAGMENT;
            } else if (c !== EOF) {
              url.query = null;
              if (!startsWithWindowsDriveLetter(input, pointer)) shortenPath(url);
              else url.path = [];
              state = PATH;
              --pointer;
            }
          } else {
            state = PATH;
            --pointer;
          }
          break;

        case FILE_SLASH:
          if (c === 0x2f || c === 0x5c) {
            state = FILE_HOST;
          } else {
            if (base !== null && base.scheme === "file") {
              if (!startsWithWindowsDriveLetter(input, pointer) && base.path.length > 0 &&
                  isNormalizedWindowsDriveLetter(base.path[0])) {
                url.path.push(base.path[0]);
              }
              url.host = base.host;
            }
            state = PATH;
            --pointer;
          }
          break;

        case FILE_HOST:
          if (c === EOF || c === 0x2f || c === 0x5c || c === 0x3f || c === 0x23) {
            --pointer;
            if (!override && isWindowsDriveLetter(buffer)) {
              state = PATH;
            } else if (buffer === "") {
              url.host = "";
              if (override) return url;
              state = PATH_START;
            } else {
              let host = parseHost(buffer, !special);
              if (host === undefined) return null;
              if (host === "localhost") host = "";
              url.host = host;
              if (override) return url;
              buffer = "";
              state = PATH_START;
            }
          } else {
            buffer += fromCodePoint(c);
          }
          break;

        case PATH_START:
          if (special) {
            state = PATH;
            if (c !== 0x2f && c !== 0x5c) --pointer;
          } else if (!override && c === 0x3f) {
            url.query = "";
            state = QUERY;
          } else if (!override && c === 0x23) {
            url.fragment = "";
            state = FRAGMENT;
          } else if (c !== EOF) {
            state = PATH;
            if (c !== 0x2f) --pointer;
          } else if (override && url.host === null) {
            url.path.push("");
          }
          break;

        case PATH:
          if (c === EOF || c === 0x2f || (special && c === 0x5c) || (!override && (c === 0x3f || c === 0x23))) {
            const slash = c === 0x2f || (special && c === 0x5c);
            if (isDoubleDot(buffer)) {
              shortenPath(url);
              if (!slash) url.path.push("");
            } else if (isSingleDot(buffer) && !slash) {
              url.path.push("");
            } else if (!isSingleDot(buffer)) {
              if (url.scheme === "file" && url.path.length === 0 && isWindowsDriveLetter(buffer)) {
                buffer = buffer[0] + ":";
              }
              url.path.push(buffer);
            }
            buffer = "";
            if (c === 0x3f) {
              url.query = "";
              state = QUERY;
            }
            if (c === 0x23) {
              url.fragment = "";
              state = FRAGMENT;
            }
          } else if (bmp && plain(c, E_PATH)) {
            let j = pointer + 1;
            for (; j < len; j++) {
              const d = input[j];
              if (!plain(d, E_PATH) || d === 0x2f || (special && d === 0x5c)) break;
            }
            buffer += string.slice(pointer, j);
            pointer = j - 1;
          } else {
            buffer += encodeCodePoint(c, E_PATH);
          }
          break;

        case OPAQUE_PATH:
          if (c === 0x3f) {
            url.query = "";
            state = QUERY;
          } else if (c === 0x23) {
            url.fragment = "";
            state = FRAGMENT;
          } else if (c === 0x20) {
            const next = input[pointer + 1];
            url.path += next === 0x3f || next === 0x23 ? "%20" : " ";
          } else if (bmp && c > 0x20 && c < 0x7f) {
            let j = pointer + 1;
            for (; j < len; j++) {
              const d = input[j];
              if (d <= 0x20 || d >= 0x7f || d === 0x3f || d === 0x23) break;
            }
            url.path += string.slice(pointer, j);
            pointer = j - 1;
          } else if (c !== EOF) {
            url.path += encodeCodePoint(c, E_C0);
          }
          break;

        case QUERY:
          if ((!override && c === 0x23) || c === EOF) {
            url.query += buffer;
            buffer = "";
            if (c === 0x23) {
              url.fragment = "";
              state = FRAGMENT;
            }
          } else {
            // Only UTF-8 is supported, so each code point is encoded as it
            // comes (the same as encoding the buffer at the end).
            const set = special ? E_SPECIAL_QUERY : E_QUERY;
            if (bmp && plain(c, set)) {
              let j = pointer + 1;
              while (j < len && plain(input[j], set)) j++;
              buffer += string.slice(pointer, j);
              pointer = j - 1;
            } else {
              buffer += encodeCodePoint(c, set);
            }
          }
          break;

        case FRAGMENT:
          if (bmp && plain(c, E_FRAGMENT)) {
            let j = pointer + 1;
            while (j < len && plain(input[j], E_FRAGMENT)) j++;
            url.fragment += string.slice(pointer, j);
            pointer = j - 1;
          } else if (c !== EOF) {
            url.fragment += encodeCodePoint(c, E_FRAGMENT);
          }
          break;
      }
    }
    return url;
  }

  function serializePath(url) {
    if (hasOpaquePath(url)) return url.path;
    let out = "";
    for (const segment of url.path) out += "/" + segment;
    return out;
  }

  function serialize(url, excludeFragment) {
    let out = url.scheme + ":";
    if (url.host !== null) {
      out += "//";
      if (url.username !== "" || url.password !== "") {
        out += url.username;
        if (url.password !== "") out += ":" + url.password;
        out += "@";
      }
      out += serializeHost(url.host);
      if (url.port !== null) out += ":" + url.port;
    }
    if (url.host === null && !hasOpaquePath(url) && url.path.length > 1 && url.path[0] === "") out += "/.";
    out += serializePath(url);
    if (url.query !== null) out += "?" + url.query;
    if (!excludeFragment && url.fragment !== null) out += "#" + url.fragment;
    return out;
  }

  function serializeOrigin(url) {
    switch (url.scheme) {
      case "blob": {
        const inner = parse(serializePath(url), null);
        if (inner === null || (inner.scheme !== "http" && inner.scheme !== "https")) return "null";
        return serializeOrigin(inner);
      }
      case "ftp": case "http": case "https": case "ws": case "wss":
        return url.scheme + "://" + serializeHost(url.host) + (url.port !== null ? ":" + url.port : "");
      default:
        return "null";
    }
  }

  // ------------------------------------------------------- URLSearchParams

  let listOf, attach, setList, newSearchParams;

  class URLSearchParams {
    #list = [];
    #url = null;

    constructor(init = "") {
      const list = this.#list;
      if (init !== null && (typeof init === "object" || typeof init === "function")) {
        const method = init[iteratorSymbol];
        if (method !== undefined && method !== null) {
          if (typeof method !== "function") throw new TypeErrorCtor("Failed to construct 'URLSearchParams': The object's @@iterator is not callable");
          for (const pair of { [iteratorSymbol]: () => method.call(init) }) {
            if (pair === null || (typeof pair !== "object" && typeof pair !== "function")) {
              throw new TypeErrorCtor("Failed to construct 'URLSearchParams': Each query pair must be an iterable [name, value] tuple");
            }
            const items = [];
            for (const item of pair) items.push(usv(item));
            if (items.length !== 2) {
              throw new TypeErrorCtor("Failed to construct 'URLSearchParams': Each query pair must be an iterable [name, value] tuple");
            }
            list.push(items);
          }
        } else {
          for (const key of ownKeys(init)) {
            const desc = getOwnPropertyDescriptor(init, key);
            if (desc !== undefined && desc.enumerable) list.push([usv(key), usv(init[key])]);
          }
        }
      } else {
        let s = usv(init);
        if (s[0] === "?") s = s.slice(1);
        this.#list = parseForm(s);
      }
    }

    #update() {
      const url = this.#url;
      if (url === null) return;
      const query = serializeForm(this.#list);
      url.query = query === "" ? null : query;
    }

    get size() { return this.#list.length; }

    append(name, value) {
      required(2, arguments.length, "URLSearchParams.append");
      this.#list.push([usv(name), usv(value)]);
      this.#update();
    }

    delete(name, value = undefined) {
      required(1, arguments.length, "URLSearchParams.delete");
      name = usv(name);
      if (value !== undefined) value = usv(value);
      this.#list = this.#list.filter((t) => !(t[0] === name && (value === undefined || t[1] === value)));
      this.#update();
    }

    get(name) {
      required(1, arguments.length, "URLSearchParams.get");
      name = usv(name);
      for (const t of this.#list) if (t[0] === name) return t[1];
      return null;
    }

    getAll(name) {
      required(1, arguments.length, "URLSearchParams.getAll");
      name = usv(name);
      const out = [];
      for (const t of this.#list) if (t[0] === name) out.push(t[1]);
      return out;
    }

    has(name, value = undefined) {
      required(1, arguments.length, "URLSearchParams.has");
      name = usv(name);
      if (value !== undefined) value = usv(value);
      for (const t of this.#list) if (t[0] === name && (value === undefined || t[1] === value)) return true;
      return false;
    }

    set(name, value) {
      required(2, arguments.length, "URLSearchParams.set");
      name = usv(name);
      value = usv(value);
      const list = this.#list;
      let found = false;
      for (let i = 0; i < list.length;) {
        if (list[i][0] !== name) { i++; continue; }
        if (found) { list.splice(i, 1); continue; }
        found = true;
        list[i][1] = value;
        i++;
      }
      if (!found) list.push([name, value]);
      this.#update();
    }

    sort() {
      // Array.prototype.sort is stable; strings compare by code units.
      this.#list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      this.#update();
    }

    forEach(callback, thisArg = undefined) {
      required(1, arguments.length, "URLSearchParams.forEach");
      if (typeof callback !== "function") throw new TypeErrorCtor("URLSearchParams.forEach: callback is not a function");
      for (let i = 0; i < this.#list.length; i++) {
        const t = this.#list[i];
        callback.call(thisArg, t[1], t[0], this);
      }
    }

    entries() { return new SearchParamsIterator(this, 0); }
    keys() { return new SearchParamsIterator(this, 1); }
    values() { return new SearchParamsIterator(this, 2); }

    toString() { return serializeForm(this.#list); }

    static {
      listOf = (params) => params.#list;
      attach = (params, url) => { params.#url = url; };
      setList = (params, list) => { params.#list = list; };
      newSearchParams = (list, url) => {
        const params = new URLSearchParams();
        params.#list = list;
        params.#url = url;
        return params;
      };
    }
  }

  // The pair iterator: live, like the WebIDL default iterator.
  const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][iteratorSymbol]()));
  class SearchParamsIterator {
    #params;
    #kind;
    #index = 0;
    constructor(params, kind) {
      listOf(params); // brand check
      this.#params = params;
      this.#kind = kind;
    }
    next() {
      if (!(#params in this)) throw new TypeErrorCtor("next method called on incompatible receiver");
      const params = this.#params;
      if (params === null) return { value: undefined, done: true };
      const list = listOf(params);
      if (this.#index >= list.length) {
        this.#params = null;
        return { value: undefined, done: true };
      }
      const t = list[this.#index++];
      const kind = this.#kind;
      return { value: kind === 0 ? [t[0], t[1]] : kind === 1 ? t[0] : t[1], done: false };
    }
  }
  Object.setPrototypeOf(SearchParamsIterator.prototype, IteratorPrototype);
  delete SearchParamsIterator.prototype.constructor;

  // ------------------------------------------------------------------- URL

  function parseOrThrow(url, base) {
    let parsedBase = null;
    if (base !== undefined) {
      parsedBase = parse(usv(base), null);
      if (parsedBase === null) throw new TypeErrorCtor(`Invalid base URL: ${usv(base)}`);
    }
    const parsed = parse(usv(url), parsedBase);
    if (parsed === null) throw new TypeErrorCtor(`Invalid URL: ${usv(url)}`);
    return parsed;
  }

  class URL {
    #url;
    #params;

    constructor(url, base = undefined) {
      required(1, arguments.length, "URL constructor");
      this.#url = parseOrThrow(url, base);
      this.#params = null;
    }

    static parse(url, base = undefined) {
      required(1, arguments.length, "URL.parse");
      try {
        return new URL(url, base);
      } catch {
        return null;
      }
    }

    static canParse(url, base = undefined) {
      required(1, arguments.length, "URL.canParse");
      let parsedBase = null;
      if (base !== undefined) {
        parsedBase = parse(usv(base), null);
        if (parsedBase === null) return false;
      }
      return parse(usv(url), parsedBase) !== null;
    }

    get href() { return serialize(this.#url, false); }
    set href(value) {
      const parsed = parse(usv(value), null);
      if (parsed === null) throw new TypeErrorCtor(`Invalid URL: ${usv(value)}`);
      this.#url = parsed;
      if (this.#params !== null) {
        attach(this.#params, parsed);
        setList(this.#params, parsed.query === null ? [] : parseForm(parsed.query));
      }
    }

    get origin() { return serializeOrigin(this.#url); }

    get protocol() { return this.#url.scheme + ":"; }
    set protocol(value) { parse(usv(value) + ":", null, this.#url, SCHEME_START); }

    get username() { return this.#url.username; }
    set username(value) {
      const url = this.#url;
      if (cannotHaveUsernamePasswordPort(url)) return;
      url.username = encodeString(usv(value), E_USERINFO, false);
    }

    get password() { return this.#url.password; }
    set password(value) {
      const url = this.#url;
      if (cannotHaveUsernamePasswordPort(url)) return;
      url.password = encodeString(usv(value), E_USERINFO, false);
    }

    get host() {
      const url = this.#url;
      if (url.host === null) return "";
      return url.port === null ? serializeHost(url.host) : serializeHost(url.host) + ":" + url.port;
    }
    set host(value) {
      const url = this.#url;
      if (hasOpaquePath(url)) return;
      parse(usv(value), null, url, HOST);
    }

    get hostname() {
      const host = this.#url.host;
      return host === null ? "" : serializeHost(host);
    }
    set hostname(value) {
      const url = this.#url;
      if (hasOpaquePath(url)) return;
      parse(usv(value), null, url, HOSTNAME);
    }

    get port() {
      const port = this.#url.port;
      return port === null ? "" : "" + port;
    }
    set port(value) {
      const url = this.#url;
      if (cannotHaveUsernamePasswordPort(url)) return;
      value = usv(value);
      if (value === "") url.port = null;
      else parse(value, null, url, PORT);
    }

    get pathname() { return serializePath(this.#url); }
    set pathname(value) {
      const url = this.#url;
      if (hasOpaquePath(url)) return;
      url.path = [];
      parse(usv(value), null, url, PATH_START);
    }

    get search() {
      const query = this.#url.query;
      return query === null || query === "" ? "" : "?" + query;
    }
    set search(value) {
      const url = this.#url;
      value = usv(value);
      if (value === "") {
        url.query = null;
        if (this.#params !== null) setList(this.#params, []);
        return;
      }
      url.query = "";
      parse(value[0] === "?" ? value.slice(1) : value, null, url, QUERY);
      if (this.#params !== null) setList(this.#params, parseForm(url.query));
    }

    get searchParams() {
      // Made on first use: most URLs never have theirs read.
      if (this.#params === null) {
        const url = this.#url;
        this.#params = newSearchParams(url.query === null ? [] : parseForm(url.query), url);
      }
      return this.#params;
    }

    get hash() {
      const fragment = this.#url.fragment;
      return fragment === null || fragment === "" ? "" : "#" + fragment;
    }
    set hash(value) {
      const url = this.#url;
      value = usv(value);
      if (value === "") {
        url.fragment = null;
        return;
      }
      url.fragment = "";
      parse(value[0] === "#" ? value.slice(1) : value, null, url, FRAGMENT);
    }

    toString() { return serialize(this.#url, false); }
    toJSON() { return serialize(this.#url, false); }
  }

  // WebIDL: operations and attributes are enumerable; @@toStringTag names
  // the interface; the pair iterator is also @@iterator.
  function enumerable(proto, names) {
    for (const name of names) {
      const desc = getOwnPropertyDescriptor(proto, name);
      desc.enumerable = true;
      defineProperty(proto, name, desc);
    }
  }
  enumerable(URL.prototype, ["href", "origin", "protocol", "username", "password", "host", "hostname",
    "port", "pathname", "search", "searchParams", "hash", "toString", "toJSON"]);
  enumerable(URL, ["parse", "canParse"]);
  enumerable(URLSearchParams.prototype, ["size", "append", "delete", "get", "getAll", "has", "set", "sort",
    "forEach", "entries", "keys", "values", "toString"]);
  const tag = { writable: false, enumerable: false, configurable: true };
  defineProperties(URL.prototype, { [Symbol.toStringTag]: { ...tag, value: "URL" } });
  defineProperties(URLSearchParams.prototype, {
    [Symbol.toStringTag]: { ...tag, value: "URLSearchParams" },
    [iteratorSymbol]: { value: URLSearchParams.prototype.entries, writable: true, enumerable: false, configurable: true },
  });
  defineProperties(SearchParamsIterator.prototype, {
    [Symbol.toStringTag]: { ...tag, value: "URLSearchParams Iterator" },
  });
  enumerable(SearchParamsIterator.prototype, ["next"]);

  for (const [name, value] of [["URL", URL], ["URLSearchParams", URLSearchParams]]) {
    defineProperty(global, name, { value, writable: true, enumerable: false, configurable: true });
  }
}
