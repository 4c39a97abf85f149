package functions

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/dop251/goja"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// runner is one runtime, prepared for exactly one call.
type runner struct {
	e  *Engine
	rt *goja.Runtime

	oidSym   *goja.Symbol
	oidCtor  *goja.Object
	dateCtor *goja.Object
	errCtor  *goja.Object
	context  *goja.Object // the context object behind its guard
	require  goja.Value   // require as a function source sees it

	// Set by Call before the runtime runs.
	ctx    context.Context
	name   string
	system bool // the call runs as the system user

	// interrupted is the first interrupt the runtime was given (0 = none).
	interrupted atomic.Int32
	// baseline is the process's heap when the call started, for the memory watchdog.
	baseline uint64

	modules map[string]*goja.Object // require's cache, per call
}

// interruptWith stops the runtime; the first reason given is the one reported.
func (r *runner) interruptWith(why interrupt) {
	r.interrupted.CompareAndSwap(0, int32(why))
	r.rt.Interrupt(why)
}

// prepare makes a runtime with everything but the call's own state.
func (e *Engine) prepare() *runner {
	rt := goja.New()
	rt.SetMaxCallStackSize(maxCallDepth)
	r := &runner{e: e, rt: rt, oidSym: goja.NewSymbol("ObjectId"), modules: map[string]*goja.Object{}}
	r.dateCtor = rt.Get("Date").ToObject(rt)
	r.errCtor = rt.Get("Error").ToObject(rt)

	n := rt.NewObject()
	set := func(name string, fn func(goja.FunctionCall) goja.Value) {
		_ = n.Set(name, r.guarded(name, fn))
	}
	_ = n.Set("oidSymbol", r.oidSym)
	maxString := int64(defaultMaxString)
	if e.cfg.MemoryLimit > 0 {
		maxString = min(maxString, e.cfg.MemoryLimit)
	}
	_ = n.Set("maxString", maxString)
	_ = n.Set("maxElements", maxString/16)
	set("newObjectId", func(goja.FunctionCall) goja.Value { return rt.ToValue(bson.NewObjectID().Hex()) })
	set("ejsonStringify", r.ejsonStringify)
	set("ejsonParse", r.ejsonParse)
	set("log", func(call goja.FunctionCall) goja.Value {
		level := levelOf(call.Argument(0).String())
		return rt.ToValue(r.guarded("console", func(c goja.FunctionCall) goja.Value {
			r.console(level, c.Arguments)
			return goja.Undefined()
		}))
	})
	set("service", r.service)
	set("checkName", r.checkName)
	set("valueGet", r.valueGet)
	set("runningAsSystem", func(goja.FunctionCall) goja.Value { return r.rt.ToValue(r.system) })
	set("execute", r.execute)
	set("http", r.httpRequest)
	set("insertOne", r.async(r.insertOne))
	set("insertMany", r.async(r.insertMany))
	set("findOne", r.async(r.findOne))
	set("find", r.async(r.find))
	set("update", r.async(r.update))
	set("delete", r.async(r.deleteDocs))
	set("count", r.async(r.count))
	set("aggregate", r.async(r.aggregate))

	env := rt.NewObject()
	_ = env.Set("tag", e.cfg.Environment.Tag)
	_ = env.Set("values", r.mustJS(e.cfg.Environment.Values))
	_ = n.Set("environment", env)

	v, err := rt.RunProgram(e.prelude)
	if err != nil {
		panic(fmt.Sprintf("functions: prelude: %v", err))
	}
	build, _ := goja.AssertFunction(v)
	out, err := build(goja.Undefined(), n)
	if err != nil {
		panic(fmt.Sprintf("functions: prelude: %v", err))
	}
	o := out.ToObject(rt)
	r.oidCtor = o.Get("ObjectId").ToObject(rt)
	r.context = o.Get("context").ToObject(rt)
	r.require = rt.ToValue(r.guarded("require", func(c goja.FunctionCall) goja.Value {
		return r.requireFrom(nil, c.Argument(0))
	}))
	_ = rt.Set("require", r.require)
	return r
}

// mustJS converts configuration values, which New's caller made from JSON-like data.
func (r *runner) mustJS(v any) goja.Value {
	j, err := r.toJS(v, 0)
	if err != nil {
		r.e.log.Warn("functions: a configured value cannot be given to functions", "error", err)
		return goja.Undefined()
	}
	return j
}

// guarded wraps a binding so that a Go panic in it becomes a JavaScript exception instead of taking the
// process down. JavaScript exceptions a binding throws on purpose pass through.
func (r *runner) guarded(name string, fn func(goja.FunctionCall) goja.Value) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		defer func() {
			if p := recover(); p != nil {
				switch p.(type) {
				case *goja.Object, goja.Value, *goja.Exception, *goja.InterruptedError:
					panic(p)
				}
				r.e.log.Error("functions: a binding failed", "function", r.name, "binding", name, "panic", fmt.Sprint(p))
				panic(r.jsError(name + ": internal error"))
			}
		}()
		return fn(call)
	}
}

// jsError makes an Error with that message.
func (r *runner) jsError(msg string) *goja.Object {
	o, err := r.rt.New(r.errCtor, r.rt.ToValue(msg))
	if err != nil {
		return r.rt.NewTypeError(msg)
	}
	return o
}

// throw raises an Error in the running script.
func (r *runner) throw(format string, args ...any) {
	panic(r.jsError(fmt.Sprintf(format, args...)))
}

// run loads the function and calls it with c's arguments and user.
func (r *runner) run(f *function, c Call) (goja.Value, error) {
	r.system = c.User == nil
	_ = r.context.Set("user", r.userJS(c.User))
	args := make([]goja.Value, len(c.Args))
	for i, a := range c.Args {
		v, err := r.toJS(a, 0)
		if err != nil {
			return nil, &Error{Function: c.Name, Message: fmt.Sprintf("argument %d: %v", i+1, err)}
		}
		args[i] = v
	}
	fn, err := r.load(f)
	if err != nil {
		return nil, err
	}
	return fn(goja.Undefined(), args...)
}

// load runs a source's wrapper and returns the function it exports.
func (r *runner) load(f *function) (goja.Callable, error) {
	v, err := r.rt.RunProgram(f.prog)
	if err != nil {
		return nil, err
	}
	wrap, ok := goja.AssertFunction(v)
	if !ok {
		return nil, &Error{Function: f.src.Name, Message: "function " + f.src.Name + " could not be loaded"}
	}
	exports := r.rt.NewObject()
	module := r.rt.NewObject()
	_ = module.Set("exports", exports)
	left, err := wrap(goja.Undefined(), exports, module, r.require)
	if err != nil {
		return nil, err
	}
	fn, ok := goja.AssertFunction(module.Get("exports"))
	if !ok {
		fn, ok = goja.AssertFunction(left)
	}
	if !ok {
		return nil, &Error{Function: f.src.Name, Message: "function " + f.src.Name + " does not export a function (exports = function (...) {...})"}
	}
	return fn, nil
}

// userJS renders context.user in App Services' shape.
func (r *runner) userJS(u *User) goja.Value {
	if u == nil {
		// App Services' system user: its data is empty.
		u = &User{Type: "system"}
	}
	ids := make([]any, len(u.Identities))
	for i, id := range u.Identities {
		ids[i] = map[string]any{"id": id.ID, "provider_type": id.ProviderType, "data": orEmpty(id.Data)}
	}
	return r.mustJS(map[string]any{
		"id": u.ID, "type": u.Type, "data": orEmpty(u.Data), "identities": ids, "custom_data": orEmpty(u.CustomData),
	})
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func levelOf(s string) slog.Level {
	switch s {
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	case "debug":
		return slog.LevelDebug
	}
	return slog.LevelInfo
}

// console writes a console.* call to the log, attributed to the called function.
func (r *runner) console(level slog.Level, args []goja.Value) {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = r.display(a)
	}
	ctx := r.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	r.e.log.Log(ctx, level, strings.Join(parts, " "), "function", r.name)
}

// display renders a value as console.log would, near enough: strings as they are, the rest as JSON.
func (r *runner) display(v goja.Value) string {
	if v == nil || goja.IsUndefined(v) {
		return "undefined"
	}
	if o, ok := v.(*goja.Object); ok {
		if _, fn := goja.AssertFunction(o); fn {
			return "[Function]"
		}
		if isError(o) {
			return o.String()
		}
		if j, err := o.MarshalJSON(); err == nil {
			return string(j)
		}
	}
	return v.String()
}

// service answers context.services.get(name) for names other than the export's MongoDB service.
func (r *runner) service(c goja.FunctionCall) goja.Value {
	name := c.Argument(0).String()
	if name != r.e.cfg.ServiceName {
		r.throw("context.services.get(%q): Lanyard's functions support only the MongoDB service %q", name, r.e.cfg.ServiceName)
	}
	if r.e.cfg.Data == nil {
		r.throw("context.services.get(%q): this Lanyard has no database for functions", name)
	}
	return goja.Undefined()
}

func (r *runner) checkName(c goja.FunctionCall) goja.Value {
	what, v := c.Argument(0).String(), c.Argument(1)
	if s, ok := v.Export().(string); !ok || s == "" {
		r.throw("%s(): the name must be a non-empty string", what)
	}
	return goja.Undefined()
}

func (r *runner) valueGet(c goja.FunctionCall) goja.Value {
	name := c.Argument(0).String()
	v, ok := r.e.cfg.Values[name]
	if !ok {
		return goja.Undefined()
	}
	return r.mustJS(v)
}

// execute is context.functions.execute: the other function runs in this runtime, under this call's
// deadline.
func (r *runner) execute(c goja.FunctionCall) goja.Value {
	name, ok := c.Argument(0).Export().(string)
	if !ok {
		r.throw("context.functions.execute: the function name must be a string")
	}
	f, ok := r.e.funcs[name]
	if !ok {
		r.throw("context.functions.execute: the export has no function %q", name)
	}
	// What the executed function logs is attributed to it.
	outer := r.name
	r.name = name
	defer func() { r.name = outer }()
	fn, err := r.load(f)
	if err != nil {
		panic(asThrow(r, err))
	}
	var args []goja.Value
	if len(c.Arguments) > 1 {
		args = c.Arguments[1:]
	}
	v, err := fn(goja.Undefined(), args...)
	if err != nil {
		panic(asThrow(r, err))
	}
	return v
}

// asThrow turns an error from a nested run back into something to panic with in the outer script.
func asThrow(r *runner, err error) any {
	switch e := err.(type) {
	case *goja.Exception:
		return e
	case *goja.InterruptedError:
		return e
	case *Error:
		return r.jsError(e.Message)
	}
	return err
}

// sortedKeys makes conversions of Go maps deterministic.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
