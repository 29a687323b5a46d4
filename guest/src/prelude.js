// The JavaScript half of the tool bridge, evaluated once when the engine is
// built (into the pre-initialized snapshot). It is an arrow that receives the
// native half and returns the guest's private API, whose `bind` installs one
// execution's tools; nothing here is reachable from the program except the
// tool functions, the namespaces and `ToolError`. The native `startCall`
// writes the arguments as JSON and returns a promise of the result if the
// call completed at once, undefined if it runs on (`settle` or `fail` ends
// it later), or null if it failed (`takeFailure` tells how: code, message,
// details, and whether it was the arguments that could not be written).
// The markers are primitives because the engine compares a value with them
// in one instruction.
//
// Every built-in it relies on is captured here, before any program runs, so a
// program that overwrites `JSON`, `Promise` or prototypes cannot break the
// bridge or the envelope.
(startCall, takeFailure) => {
  "use strict";
  const { create, defineProperty, freeze } = Object;
  const PromiseCtor = Promise;
  const ProxyCtor = Proxy;
  const ErrorCtor = Error;
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

  // id -> { resolve, reject, server, tool, site } of the calls still
  // running; a null prototype keeps this immune to anything the program
  // does to Object.prototype.
  const pending = create(null);
  let nextId = 0;

  const rejected = (error) => new PromiseCtor((_, reject) => reject(error));

  function toolError(code, server, tool, message, details) {
    let parsed = null;
    if (details !== undefined && details !== null) {
      try { parsed = parse(details); } catch { parsed = details; }
    }
    return new ToolError(code, server, tool, message, parsed);
  }

  // The function the program calls for tool `index`: named after the tool,
  // so stack traces and `fn.name` read naturally.
  function toolFunction(index, server, tool, pair) {
    return { [tool](args, more) {
      const id = nextId++;
      const outcome = startCall(index, pair && more !== undefined ? [args, more] : args, id);
      if (outcome === undefined) {
        // Where the program made the call: if it fails, its ToolError
        // carries this stack, so an uncaught one points at the call in the
        // program. A call that completed at once needs none: its ToolError
        // is made right here.
        const site = new ErrorCtor();
        return new PromiseCtor((resolve, reject) => {
          pending[id] = { resolve, reject, server, tool, site };
        });
      }
      if (outcome === null) {
        const failure = takeFailure();
        const message = failure[3]
          ? `arguments of ${server === null ? tool : server + "." + tool} are not JSON-serializable: ${failure[1]}`
          : failure[1];
        return rejected(toolError(failure[0], server, tool, message, failure[2]));
      }
      return outcome;
    } }[tool];
  }

  function unknownTool(server, names) {
    return (name) => () => rejected(new ToolError("unknown_tool", server, name,
      `${server}.${name} is not a tool; ${server} has: ${names.length ? names.join(", ") : "no tools"}`, null));
  }

  // Installs the execution's tools: functions on namespace objects (or
  // globals), as the host listed them. A binding with an empty name stands
  // for a namespace whose server is unavailable: every member of it is a
  // function calling that binding, which the host fails as `unavailable`.
  function bind(tools) {
    const namespaces = create(null);
    const unavailable = create(null);
    for (let index = 0; index < tools.length; index++) {
      const { namespace, name, pair } = tools[index];
      if (name === "") {
        namespaces[namespace] ??= create(null);
        unavailable[namespace] = index;
        continue;
      }
      const fn = toolFunction(index, namespace, name, pair);
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
      const down = unavailable[namespace];
      const unknown = down === undefined ? unknownTool(namespace, names) : (name) => toolFunction(down, namespace, name, false);
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
      const error = toolError(code, p.server, p.tool, message, details);
      defineProperty(error, "stack", { value: p.site.stack, writable: true, configurable: true });
      p.reject(error);
    },
  });
}
