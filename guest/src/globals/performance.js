// performance.now and performance.timeOrigin for a pre-initialized guest.
// codemode's own code, under the project's license.
//
// QuickJS-ng has `performance` natively (JS_AddPerformance), but it takes
// its time origin when the context is created: in a Wizer snapshot that is
// build time, on the build machine's monotonic clock, so performance.now()
// in an execution is off by an arbitrary amount (it can even be negative),
// and its timeOrigin is a monotonic reading, not the epoch time the
// standard asks for. Its `now` is neither writable nor configurable, so
// this replaces the whole object.
//
// Evaluates to a function that takes the native `now(): number`
// (milliseconds as a double since the execution started, on the monotonic
// clock; the guest should name it "now") and installs `performance`, an
// instance of `Performance` whose `now` is that native; `timeOrigin` is the
// wall-clock time of that start in milliseconds since the epoch, computed on
// first use, so an execution that never reads it pays nothing.
(now) => {
  "use strict";
  const { defineProperty, getOwnPropertyDescriptor } = Object;
  const dateNow = Date.now;
  const TypeErrorCtor = TypeError;
  let origin;
  let key = null; // only this module can make a Performance

  class Performance {
    constructor(token = undefined) {
      if (token !== key || key === null) throw new TypeErrorCtor("Illegal constructor");
    }
    get timeOrigin() {
      return origin ??= dateNow() - now();
    }
    toJSON() {
      return { timeOrigin: this.timeOrigin };
    }
  }
  const proto = Performance.prototype;
  defineProperty(proto, "now", { value: now, writable: true, enumerable: true, configurable: true });
  for (const name of ["timeOrigin", "toJSON"]) {
    const desc = getOwnPropertyDescriptor(proto, name);
    desc.enumerable = true;
    defineProperty(proto, name, desc);
  }
  defineProperty(proto, Symbol.toStringTag, { value: "Performance", configurable: true });
  key = {};
  const performance = new Performance(key);
  key = null;
  defineProperty(globalThis, "Performance", { value: Performance, writable: true, enumerable: false, configurable: true });
  defineProperty(globalThis, "performance", { value: performance, writable: true, enumerable: true, configurable: true });
}
