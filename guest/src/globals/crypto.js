// crypto.getRandomValues and crypto.randomUUID, after the Web Cryptography
// API (no `subtle`).
// codemode's own code, under the project's license.
//
// Evaluates to a function that takes the native random source,
// `fill(u8: Uint8Array): void`, which must fill every byte of the view it is
// given, and installs `crypto` (an instance of `Crypto`) on the global
// object. Everything else is done here: the WebIDL checks, the
// TypeMismatchError and QuotaExceededError DOMExceptions, and the version 4
// UUID layout.
(fill) => {
  "use strict";
  const global = globalThis;
  const { defineProperty, getOwnPropertyDescriptor, getPrototypeOf } = Object;
  const uncurry = Function.prototype.bind.bind(Function.prototype.call);
  const TypeErrorCtor = TypeError;
  const DOMExceptionCtor = DOMException;
  const Uint8ArrayCtor = Uint8Array;
  const isView = ArrayBuffer.isView;
  const TypedArrayProto = getPrototypeOf(Uint8Array.prototype);
  const taName = uncurry(getOwnPropertyDescriptor(TypedArrayProto, Symbol.toStringTag).get);
  const taBuffer = uncurry(getOwnPropertyDescriptor(TypedArrayProto, "buffer").get);
  const taByteOffset = uncurry(getOwnPropertyDescriptor(TypedArrayProto, "byteOffset").get);
  const taByteLength = uncurry(getOwnPropertyDescriptor(TypedArrayProto, "byteLength").get);
  const nativeFill = fill;
  const INTEGER_ARRAYS = { __proto__: null, Int8Array: 1, Uint8Array: 1, Uint8ClampedArray: 1, Int16Array: 1,
    Uint16Array: 1, Int32Array: 1, Uint32Array: 1, BigInt64Array: 1, BigUint64Array: 1 };
  const QUOTA = 65536;

  // One reusable buffer for UUIDs.
  const uuidBytes = new Uint8ArrayCtor(16);
  const hex = (b) => (b < 16 ? "0" : "") + b.toString(16);

  let key = null; // only this module can make a Crypto

  class Crypto {
    #brand = true;
    static #is(self) {
      return self !== null && typeof self === "object" && #brand in self;
    }

    constructor(token = undefined) {
      if (token !== key || key === null) throw new TypeErrorCtor("Illegal constructor");
    }

    getRandomValues(array) {
      if (!Crypto.#is(this)) throw new TypeErrorCtor("Crypto.getRandomValues: Illegal invocation");
      if (arguments.length < 1) throw new TypeErrorCtor("Crypto.getRandomValues: 1 argument required, but only 0 present");
      if (!isView(array)) {
        throw new TypeErrorCtor("Crypto.getRandomValues: The \"array\" argument must be an instance of ArrayBufferView");
      }
      const name = taName(array);
      if (name === undefined || !(name in INTEGER_ARRAYS)) {
        throw new DOMExceptionCtor("The data argument must be an integer-type TypedArray", "TypeMismatchError");
      }
      const length = taByteLength(array);
      if (length > QUOTA) {
        throw new DOMExceptionCtor(
          `The ArrayBufferView's byte length (${length}) exceeds the number of bytes of entropy available via this API (${QUOTA})`,
          "QuotaExceededError");
      }
      if (length > 0) nativeFill(new Uint8ArrayCtor(taBuffer(array), taByteOffset(array), length));
      return array;
    }

    randomUUID() {
      if (!Crypto.#is(this)) throw new TypeErrorCtor("Crypto.randomUUID: Illegal invocation");
      const b = uuidBytes;
      nativeFill(b);
      b[6] = (b[6] & 0x0f) | 0x40; // version 4
      b[8] = (b[8] & 0x3f) | 0x80; // variant 10
      return hex(b[0]) + hex(b[1]) + hex(b[2]) + hex(b[3]) + "-" + hex(b[4]) + hex(b[5]) + "-" +
        hex(b[6]) + hex(b[7]) + "-" + hex(b[8]) + hex(b[9]) + "-" +
        hex(b[10]) + hex(b[11]) + hex(b[12]) + hex(b[13]) + hex(b[14]) + hex(b[15]);
    }
  }

  for (const name of ["getRandomValues", "randomUUID"]) {
    const desc = getOwnPropertyDescriptor(Crypto.prototype, name);
    desc.enumerable = true;
    defineProperty(Crypto.prototype, name, desc);
  }
  defineProperty(Crypto.prototype, Symbol.toStringTag, { value: "Crypto", configurable: true });
  key = {};
  const crypto = new Crypto(key);
  key = null;
  defineProperty(global, "Crypto", { value: Crypto, writable: true, enumerable: false, configurable: true });
  defineProperty(global, "crypto", { value: crypto, writable: true, enumerable: false, configurable: true });
}
