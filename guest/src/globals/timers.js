// setTimeout, setInterval, clearTimeout and clearInterval, for a guest
// whose event loop is the driver's (guest/src/driver.rs).
// codemode's own code, under the project's license.
//
// Evaluates to a function that takes the native `now(): number`
// (milliseconds since the execution started, on the monotonic clock),
// installs the four globals and returns the driver's side:
//
// - `delay()`: milliseconds until the earliest timer is due (0 if one is
//   due now), or -1 when no timer is pending;
// - `fire()`: runs the earliest timer if it is due and says whether it ran.
//   The driver runs the microtask queue after each one, as an event loop
//   runs microtasks after each task. What a callback throws propagates to
//   the driver, which fails the program with it (as Node ends on an
//   uncaught exception).
//
// Delays follow Node: a number of milliseconds, truncated; anything below 1
// (or not a number, or above 2^31 - 1) is 1. Timers due at the same time
// run in the order they were set; an interval is set again for its next
// due time before its callback runs, so clearing it inside the callback
// stops it. Ids are positive integers, never reused within an execution.
(now) => {
  "use strict";
  const { defineProperty } = Object;
  const TypeErrorCtor = TypeError;
  const apply = Reflect.apply;
  const uncurry = Function.prototype.bind.bind(Function.prototype.call);
  const splice = uncurry(Array.prototype.splice);
  const indexOf = uncurry(Array.prototype.indexOf);
  const freeze = Object.freeze;
  const trunc = Math.trunc;
  const MAX_DELAY = 2147483647;

  // Pending timers by id, and the ids ordered by (due, order set).
  const timers = new Map();
  const mapGet = Map.prototype.get.bind(timers);
  const mapSet = Map.prototype.set.bind(timers);
  const mapDelete = Map.prototype.delete.bind(timers);
  // An own `constructor` keeps splice from looking up a species the
  // program may have replaced.
  const queue = [];
  queue.constructor = undefined;
  let nextId = 1;
  let nextOrder = 0;

  function delayOf(ms) {
    const n = +ms;
    return n >= 1 && n <= MAX_DELAY ? trunc(n) : 1;
  }

  // Inserts `timer` after every timer due no later than it.
  function enqueue(timer) {
    let low = 0, high = queue.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const other = queue[mid];
      if (other.due < timer.due || (other.due === timer.due && other.order < timer.order)) low = mid + 1;
      else high = mid;
    }
    splice(queue, low, 0, timer);
  }

  function set(callback, ms, args, repeat) {
    if (typeof callback !== "function") {
      throw new TypeErrorCtor(`The "callback" argument must be of type function. Received ${callback === null ? "null" : typeof callback}`);
    }
    const delay = delayOf(ms);
    const timer = { id: nextId++, order: nextOrder++, due: now() + delay, delay, callback, args, repeat };
    mapSet(timer.id, timer);
    enqueue(timer);
    return timer.id;
  }

  function clear(id) {
    const timer = mapGet(id);
    if (timer === undefined) return;
    mapDelete(id);
    const index = indexOf(queue, timer);
    if (index >= 0) splice(queue, index, 1);
  }

  const api = {
    setTimeout(callback, delay = 0, ...args) { return set(callback, delay, args, false); },
    setInterval(callback, delay = 0, ...args) { return set(callback, delay, args, true); },
    clearTimeout(id = undefined) { clear(id); },
    clearInterval(id = undefined) { clear(id); },
  };
  for (const name of ["setTimeout", "setInterval", "clearTimeout", "clearInterval"]) {
    defineProperty(globalThis, name, { value: api[name], writable: true, enumerable: true, configurable: true });
  }

  return freeze({
    delay() {
      if (queue.length === 0) return -1;
      const wait = queue[0].due - now();
      return wait > 0 ? wait : 0;
    },
    fire() {
      const timer = queue[0];
      if (timer === undefined || timer.due > now()) return false;
      splice(queue, 0, 1);
      if (timer.repeat) {
        timer.due += timer.delay;
        timer.order = nextOrder++;
        enqueue(timer);
      } else {
        mapDelete(timer.id);
      }
      apply(timer.callback, undefined, timer.args);
      return true;
    },
  });
}
