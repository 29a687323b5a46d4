// The JavaScript half of the tool bridge, evaluated once when the engine is
// built (into the pre-initialized snapshot). It is an arrow that receives the
// native `startCall` and returns the guest's private API, whose `bind`
// installs one execution's tools; nothing here is reachable from the program
// except the tool functions, the namespaces and `ToolError`.
//
// Every built-in it relies on is captured here, before any program runs, so a
// program that overwrites `JSON`, `Promise` or prototypes cannot break the
// bridge or the envelope.
(startCall) => {
  "use strict";
  const { create, defineProperty, freeze } = Object;
  const PromiseCtor = Promise;
  const ProxyCtor = Proxy;
  const ErrorCtor = Error;
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const globals = globalThis;

  class ToolError extends ErrorCtor {
    constructor(code, server, tool, message, details) {
      super(message);
      defineProperty(this, "name", { value: "ToolError", writable: true, configurable: true });
      this.code = code;
      this.server = server;
      this.tool = tool;
      this.details = details;
    }
  }

  // id -> { resolve, reject, server, tool }; a null prototype keeps this
  // immune to anything the program does to Object.prototype.
  const pending = create(null);

  const rejected = (error) => new PromiseCtor((_, reject) => reject(error));

  function call(index, server, tool, args) {
    let json;
    try {
      json = args === undefined ? "null" : stringify(args);
    } catch (e) {
      return rejected(new ToolError("invalid_arguments", server, tool,
        `arguments of ${server === null ? tool : server + "." + tool} are not JSON-serializable: ${e && e.message}`, null));
    }
    if (json === undefined) json = "null";
    // Where the program made the call: a failed call's ToolError carries
    // this stack, so an uncaught one points at the call in the program.
    const site = new ErrorCtor();
    return new PromiseCtor((resolve, reject) => {
      pending[startCall(index, json)] = { resolve, reject, server, tool, site };
    });
  }

  function unknownTool(server, names) {
    return (name) => () => rejected(new ToolError("unknown_tool", server, name,
      `${server}.${name} is not a tool; ${server} has: ${names.length ? names.join(", ") : "no tools"}`, null));
  }

  // Installs the execution's tools: functions on namespace objects (or
  // globals), as the host listed them.
  function bind(tools) {
    const namespaces = create(null);
    for (let index = 0; index < tools.length; index++) {
      const { namespace, name } = tools[index];
      // A named function, so stack traces and `fn.name` read naturally.
      const fn = { [name](args) { return call(index, namespace, name, args); } }[name];
      if (namespace == null) {
        globals[name] = fn;
      } else {
        (namespaces[namespace] ??= create(null))[name] = fn;
      }
    }
    for (const namespace in namespaces) {
      const target = namespaces[namespace];
      const names = [];
      for (const name in target) names.push(name);
      const unknown = unknownTool(namespace, names);
      // Unknown members become functions that reject with `unknown_tool`, so a
      // misspelt tool is a catchable ToolError rather than a TypeError. `then`
      // and symbols stay undefined so the namespace is not mistaken for a
      // thenable or an iterable.
      globals[namespace] = new ProxyCtor(freeze(target), {
        get(t, key) {
          if (typeof key === "symbol" || key in t || key === "then" || key === "toJSON") return t[key];
          return unknown(key);
        },
      });
    }
  }
  globals.ToolError = ToolError;

  return freeze({
    ToolError,
    bind,
    settle(id, value) {
      const p = pending[id];
      delete pending[id];
      if (p !== undefined) p.resolve(value);
    },
    fail(id, code, message, details) {
      const p = pending[id];
      delete pending[id];
      if (p === undefined) return;
      let parsed = null;
      if (details !== undefined && details !== null) {
        try { parsed = parse(details); } catch { parsed = details; }
      }
      const error = new ToolError(code, p.server, p.tool, message, parsed);
      defineProperty(error, "stack", { value: p.site.stack, writable: true, configurable: true });
      p.reject(error);
    },
  });
}
