// structuredClone, after the HTML Standard's StructuredSerializeInternal /
// StructuredDeserialize, done in one pass (no intermediate form).
// codemode's own code, under the project's license.
//
// Evaluates to a function that installs `structuredClone` on the global
// object. Clones primitives, plain objects and arrays (own enumerable string
// keys; holes, extra array properties and cycles preserved; prototypes not),
// Boolean/Number/String/BigInt wrappers, Date, RegExp (lastIndex not kept),
// ArrayBuffer (resizable ones too), typed arrays and DataView (views that
// share a buffer still share the cloned one), Map, Set and errors (name
// limited to the seven standard ones, message, stack and cause, as V8
// does). Anything else with internal slots (functions, symbols, WeakMap,
// WeakSet, WeakRef, FinalizationRegistry, Promise, Symbol wrappers,
// generators) throws a DataCloneError DOMException; a DOMException is
// cloned with its name and message, as WebIDL has it. The
// `transfer` option detaches the listed ArrayBuffers. SharedArrayBuffers
// are shared, that is returned as they are.
//
// Every built-in it calls was captured when it was installed, so a program
// that replaces Map.prototype.set or Object.keys cannot change how values
// are cloned. Not detectable from JavaScript, and so not refused: a Proxy
// (cloned through its traps like the object it poses as), and an exotic
// object whose prototype was changed to Object.prototype or null (cloned as
// a plain object).
() => {
  "use strict";
  const global = globalThis;
  const uncurry = Function.prototype.bind.bind(Function.prototype.call);
  const { getPrototypeOf, getOwnPropertyDescriptor, defineProperty, keys: objectKeys, prototype: ObjectProto } = Object;
  const hasOwn = Object.hasOwn;
  const isArray = Array.isArray;
  const isView = ArrayBuffer.isView;
  // Error.isError (ES2026) is exact; QuickJS-ng has it. Elsewhere the
  // built-in tag is close (it can be spoofed with Symbol.toStringTag).
  const objectToString = uncurry(Object.prototype.toString);
  const isError = Error.isError ?? ((v) => objectToString(v) === "[object Error]");
  const DOMExceptionCtor = DOMException;
  const TypeErrorCtor = TypeError;
  const StringCtor = String, ObjectCtor = Object, ArrayCtor = Array;
  const MapCtor = Map, SetCtor = Set, DateCtor = Date, RegExpCtor = RegExp, ArrayBufferCtor = ArrayBuffer;
  const DataViewCtor = DataView, Uint8ArrayCtor = Uint8Array;
  const getter = (proto, name) => uncurry(getOwnPropertyDescriptor(proto, name).get);

  const mapGet = uncurry(Map.prototype.get), mapSet = uncurry(Map.prototype.set), mapHas = uncurry(Map.prototype.has);
  const mapForEach = uncurry(Map.prototype.forEach), mapSize = getter(Map.prototype, "size");
  const setAdd = uncurry(Set.prototype.add), setForEach = uncurry(Set.prototype.forEach), setSize = getter(Set.prototype, "size");
  const push = uncurry(Array.prototype.push);
  const dateValue = uncurry(Date.prototype.getTime);
  const regexpSource = getter(RegExp.prototype, "source");
  const regexpFlags = ["hasIndices", "global", "ignoreCase", "multiline", "dotAll", "unicode", "unicodeSets", "sticky"]
    .filter((name) => getOwnPropertyDescriptor(RegExp.prototype, name))
    .map((name) => [getter(RegExp.prototype, name), { hasIndices: "d", global: "g", ignoreCase: "i", multiline: "m",
      dotAll: "s", unicode: "u", unicodeSets: "v", sticky: "y" }[name]]);
  const abByteLength = getter(ArrayBuffer.prototype, "byteLength");
  const abResizable = getOwnPropertyDescriptor(ArrayBuffer.prototype, "resizable") ? getter(ArrayBuffer.prototype, "resizable") : () => false;
  const abMaxByteLength = getOwnPropertyDescriptor(ArrayBuffer.prototype, "maxByteLength") ? getter(ArrayBuffer.prototype, "maxByteLength") : abByteLength;
  const abDetached = getOwnPropertyDescriptor(ArrayBuffer.prototype, "detached") ? getter(ArrayBuffer.prototype, "detached") : () => false;
  const abTransfer = ArrayBuffer.prototype.transfer ? uncurry(ArrayBuffer.prototype.transfer) : null;
  const sabByteLength = typeof SharedArrayBuffer === "function" ? getter(SharedArrayBuffer.prototype, "byteLength") : null;
  const TypedArrayProto = getPrototypeOf(Uint8Array.prototype);
  const taName = getter(TypedArrayProto, Symbol.toStringTag);
  const taBuffer = getter(TypedArrayProto, "buffer");
  const taByteOffset = getter(TypedArrayProto, "byteOffset");
  const taLength = getter(TypedArrayProto, "length");
  const dvBuffer = getter(DataView.prototype, "buffer");
  const dvByteOffset = getter(DataView.prototype, "byteOffset");
  const dvByteLength = getter(DataView.prototype, "byteLength");
  const u8Set = uncurry(TypedArrayProto.set);
  const booleanValue = uncurry(Boolean.prototype.valueOf);
  const numberValue = uncurry(Number.prototype.valueOf);
  const stringValue = uncurry(String.prototype.valueOf);
  const bigintValue = typeof BigInt === "function" ? uncurry(BigInt.prototype.valueOf) : null;
  const symbolValue = uncurry(Symbol.prototype.valueOf);
  const domExceptionName = getter(DOMException.prototype, "name");
  const domExceptionMessage = getter(DOMException.prototype, "message");
  const weakMapHas = uncurry(WeakMap.prototype.has);
  const weakSetHas = uncurry(WeakSet.prototype.has);
  const weakRefDeref = typeof WeakRef === "function" ? uncurry(WeakRef.prototype.deref) : null;
  const registryUnregister = typeof FinalizationRegistry === "function" ? uncurry(FinalizationRegistry.prototype.unregister) : null;
  const TYPED_ARRAYS = { __proto__: null };
  for (const name of ["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array",
    "Uint32Array", "Float16Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"]) {
    if (typeof global[name] === "function") TYPED_ARRAYS[name] = global[name];
  }
  const ERRORS = { __proto__: null };
  for (const ctor of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError]) ERRORS[ctor.name] = ctor;
  const GeneratorProto = getPrototypeOf(function* () {}).prototype;
  const AsyncGeneratorProto = getPrototypeOf(async function* () {}).prototype;

  // Kinds of objects, found from the prototype chain and confirmed by a
  // brand check (a built-in that throws on anything else).
  const PLAIN = 0, ARRAY = 1, BOOLEAN = 2, NUMBER = 3, STRING = 4, BIGINT = 5, DATE = 6, REGEXP = 7,
    ARRAY_BUFFER = 8, SHARED_ARRAY_BUFFER = 9, VIEW = 10, MAP = 11, SET = 12, ERROR = 13, DOM_EXCEPTION = 14,
    UNCLONEABLE = 15;
  const brands = [
    [Boolean.prototype, BOOLEAN, booleanValue],
    [Number.prototype, NUMBER, numberValue],
    [String.prototype, STRING, stringValue],
    [Date.prototype, DATE, dateValue],
    [RegExp.prototype, REGEXP, (v) => { if (regexpFlags[0][0](v) === undefined) throw 0; }],
    [ArrayBuffer.prototype, ARRAY_BUFFER, abByteLength],
    [Map.prototype, MAP, mapSize],
    [Set.prototype, SET, setSize],
    [WeakMap.prototype, UNCLONEABLE, (v) => weakMapHas(v, ObjectProto)],
    [WeakSet.prototype, UNCLONEABLE, (v) => weakSetHas(v, ObjectProto)],
    [Symbol.prototype, UNCLONEABLE, symbolValue],
    // No side-effect-free brand check exists for these: the prototype
    // chain decides.
    [Promise.prototype, UNCLONEABLE, null],
    [GeneratorProto, UNCLONEABLE, null],
    [AsyncGeneratorProto, UNCLONEABLE, null],
    [DOMException.prototype, DOM_EXCEPTION, domExceptionName],
  ];
  if (bigintValue) brands.push([BigInt.prototype, BIGINT, bigintValue]);
  if (sabByteLength) brands.push([SharedArrayBuffer.prototype, SHARED_ARRAY_BUFFER, sabByteLength]);
  if (weakRefDeref) brands.push([WeakRef.prototype, UNCLONEABLE, weakRefDeref]);
  if (registryUnregister) brands.push([FinalizationRegistry.prototype, UNCLONEABLE, (v) => registryUnregister(v, ObjectProto)]);
  const KIND_BY_PROTO = new MapCtor();
  for (const [proto, kind, check] of brands) mapSet(KIND_BY_PROTO, proto, [kind, check]);

  function confirms(check, value) {
    try {
      check(value);
      return true;
    } catch {
      return false;
    }
  }

  // The kind of a non-callable object.
  function kindOf(value) {
    let proto = getPrototypeOf(value);
    // The common cases first, each confirmed by its exact check.
    if (proto === ObjectProto && !isError(value)) return PLAIN;
    if (isArray(value)) return ARRAY;
    if (isView(value)) return VIEW;
    if (isError(value)) return ERROR;
    if (proto === ObjectProto || proto === null) return PLAIN;
    // A class instance or a built-in (or a subclass of one): walk up to the
    // first built-in prototype.
    for (; ; proto = getPrototypeOf(proto)) {
      if (proto === null || proto === ObjectProto) return PLAIN;
      const entry = mapGet(KIND_BY_PROTO, proto);
      if (entry === undefined) continue;
      const [kind, check] = entry;
      if (check === null || confirms(check, value)) return kind;
      break;
    }
    // Not what its prototype says: try every brand (rare, and slow).
    for (const [, kind, check] of brands) {
      if (check !== null && confirms(check, value)) return kind;
    }
    return PLAIN;
  }

  function describe(value) {
    if (typeof value === "symbol") return `${StringCtor(value)}`;
    if (typeof value === "function") {
      try {
        return StringCtor(value);
      } catch {
        return "function";
      }
    }
    let name = "Object";
    try {
      const tag = value[Symbol.toStringTag];
      if (typeof tag === "string") name = tag;
      else {
        const ctor = value.constructor;
        if (typeof ctor === "function" && typeof ctor.name === "string" && ctor.name) name = ctor.name;
      }
    } catch {}
    return `#<${name}>`;
  }

  function uncloneable(value) {
    return new DOMExceptionCtor(`${describe(value)} could not be cloned.`, "DataCloneError");
  }

  function define(target, key, value) {
    defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  }

  function copyBuffer(buffer, memory) {
    if (abDetached(buffer)) throw new DOMExceptionCtor("An ArrayBuffer is detached and could not be cloned.", "DataCloneError");
    const length = abByteLength(buffer);
    const copy = abResizable(buffer)
      ? new ArrayBufferCtor(length, { maxByteLength: abMaxByteLength(buffer) })
      : new ArrayBufferCtor(length);
    u8Set(new Uint8ArrayCtor(copy), new Uint8ArrayCtor(buffer));
    mapSet(memory, buffer, copy);
    return copy;
  }

  // Clones `value` into `memory` (a Map from originals to their clones).
  // The graph is walked depth-first in the standard's order, but with a
  // work stack instead of recursion, so deep structures (a long linked
  // list) do not exhaust the engine's stack: a container's clone is made
  // empty when it is first met, and a task to fill it is pushed; the task
  // on top runs until its container is full.
  function clone(value, memory) {
    const tasks = [];
    const root = start(value, memory, tasks);
    while (tasks.length > 0) {
      const task = tasks[tasks.length - 1];
      switch (task.kind) {
        case PLAIN:
        case ARRAY: {
          const { src, out, keys } = task;
          // Keys were taken when the container was met; a key deleted on
          // the way (by a getter) is skipped, as the standard has it.
          if (task.i >= keys.length) { tasks.length--; break; }
          const key = keys[task.i++];
          if (!hasOwn(src, key)) break;
          const v = start(src[key], memory, tasks);
          if (key === "__proto__") define(out, key, v);
          else out[key] = v;
          break;
        }
        case MAP: {
          // The entries were listed when the Map was met; then each key and
          // value is cloned, in that order.
          const { out, items } = task;
          if (task.i >= items.length) { tasks.length--; break; }
          const v = start(items[task.i], memory, tasks);
          if ((task.i & 1) === 0) task.key = v;
          else mapSet(out, task.key, v);
          task.i++;
          break;
        }
        case SET: {
          const { out, items } = task;
          if (task.i >= items.length) { tasks.length--; break; }
          setAdd(out, start(items[task.i++], memory, tasks));
          break;
        }
        case ERROR: {
          // The cause, after the error itself.
          tasks.length--;
          defineProperty(task.out, "cause", { value: start(task.cause, memory, tasks), writable: true, configurable: true });
          break;
        }
      }
    }
    return root;
  }

  // The clone of `value`: a primitive itself, a container made empty with a
  // task pushed to fill it, or anything else cloned at once.
  function start(value, memory, tasks) {
    if (typeof value !== "object" || value === null) {
      if (typeof value === "function" || typeof value === "symbol") throw uncloneable(value);
      return value;
    }
    const seen = mapGet(memory, value);
    if (seen !== undefined) return seen;

    const kind = kindOf(value);
    let out;
    switch (kind) {
      case PLAIN:
      case ARRAY:
        out = kind === ARRAY ? new ArrayCtor(value.length) : {};
        mapSet(memory, value, out);
        push(tasks, { kind, src: value, out, keys: objectKeys(value), i: 0 });
        return out;
      case MAP: {
        out = new MapCtor();
        mapSet(memory, value, out);
        const items = [];
        mapForEach(value, (v, k) => { push(items, k, v); });
        push(tasks, { kind, out, items, i: 0, key: undefined });
        return out;
      }
      case SET: {
        out = new SetCtor();
        mapSet(memory, value, out);
        const items = [];
        setForEach(value, (v) => { push(items, v); });
        push(tasks, { kind, out, items, i: 0 });
        return out;
      }
      case ERROR: {
        let name = value.name;
        if (typeof name !== "string" || !(name in ERRORS)) name = "Error";
        const messageDesc = getOwnPropertyDescriptor(value, "message");
        const message = messageDesc && "value" in messageDesc ? `${messageDesc.value}` : undefined;
        out = message === undefined ? new ERRORS[name]() : new ERRORS[name](message);
        mapSet(memory, value, out);
        // What V8 also keeps: the stack, and the cause.
        const stack = value.stack;
        if (typeof stack === "string") defineProperty(out, "stack", { value: stack, writable: true, configurable: true });
        const causeDesc = getOwnPropertyDescriptor(value, "cause");
        if (causeDesc && "value" in causeDesc) push(tasks, { kind, out, cause: causeDesc.value });
        return out;
      }
      case BOOLEAN: out = ObjectCtor(booleanValue(value)); break;
      case NUMBER: out = ObjectCtor(numberValue(value)); break;
      case STRING: out = ObjectCtor(stringValue(value)); break;
      case BIGINT: out = ObjectCtor(bigintValue(value)); break;
      case DATE: out = new DateCtor(dateValue(value)); break;
      case REGEXP: {
        let flags = "";
        for (const [get, flag] of regexpFlags) if (get(value)) flags += flag;
        out = new RegExpCtor(regexpSource(value), flags);
        break;
      }
      case ARRAY_BUFFER:
        return copyBuffer(value, memory);
      case SHARED_ARRAY_BUFFER:
        out = value;
        break;
      case VIEW: {
        const name = taName(value);
        const isDataView = name === undefined;
        const buffer = isDataView ? dvBuffer(value) : taBuffer(value);
        let bufferCopy = mapGet(memory, buffer);
        if (bufferCopy === undefined) {
          if (sabByteLength && confirms(sabByteLength, buffer)) bufferCopy = buffer;
          else bufferCopy = copyBuffer(buffer, memory);
        }
        out = isDataView
          ? new DataViewCtor(bufferCopy, dvByteOffset(value), dvByteLength(value))
          : new TYPED_ARRAYS[name](bufferCopy, taByteOffset(value), taLength(value));
        break;
      }
      case DOM_EXCEPTION:
        // Serializable per WebIDL: its name and message.
        out = new DOMExceptionCtor(domExceptionMessage(value), domExceptionName(value));
        break;
      default:
        throw uncloneable(value);
    }
    mapSet(memory, value, out);
    return out;
  }

  function structuredClone(value, options = undefined) {
    if (arguments.length < 1) throw new TypeErrorCtor("structuredClone: The value argument must be specified");
    const memory = new MapCtor();
    let transfer = null;
    if (options !== undefined && options !== null) {
      if (typeof options !== "object" && typeof options !== "function") {
        throw new TypeErrorCtor("structuredClone: The options argument must be an object");
      }
      const list = options.transfer;
      if (list !== undefined) {
        if (list === null || typeof list !== "object" || typeof list[Symbol.iterator] !== "function") {
          throw new TypeErrorCtor("structuredClone: transfer must be a sequence of objects");
        }
        transfer = [];
        for (const item of list) {
          if (item === null || (typeof item !== "object" && typeof item !== "function")) {
            throw new TypeErrorCtor("structuredClone: transfer must be a sequence of objects");
          }
          if (!confirms(abByteLength, item) || abTransfer === null) throw uncloneable(item);
          if (mapHas(memory, item)) {
            throw new DOMExceptionCtor("An ArrayBuffer is listed in transfer twice.", "DataCloneError");
          }
          // The clone takes a copy now, and the original is detached once
          // the whole value is cloned.
          copyBuffer(item, memory);
          push(transfer, item);
        }
      }
    }
    const result = clone(value, memory);
    if (transfer !== null) for (const buffer of transfer) abTransfer(buffer, 0);
    return result;
  }

  defineProperty(global, "structuredClone", { value: structuredClone, writable: true, enumerable: false, configurable: true });
}
