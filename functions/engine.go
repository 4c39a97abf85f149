package functions

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"

	"github.com/lanyardhq/lanyard/store"
)

// Source is one function of an export.
type Source struct {
	Name    string // App Services name, e.g. "onUserCreation" or "auth/checkPassword"
	File    string // path shown in errors, relative to the export dir, e.g. "functions/onUserCreation.js"
	Code    string
	Private bool
}

// Environment is what context.environment shows.
type Environment struct {
	Tag    string
	Values map[string]any
}

// Config configures an Engine.
type Config struct {
	Sources     []Source
	Values      map[string]any  // context.values.get(name); secrets already resolved by the caller
	Environment Environment     // context.environment ({tag, values})
	ServiceName string          // the export's MongoDB service name, e.g. "mongodb-atlas"
	Data        store.Documents // backs context.services.get(ServiceName); nil = no database
	NodeModules string          // directory of the export's functions/node_modules ("" = none)
	HTTPAllow   []string        // hosts (host or host:port) context.http may reach; empty = none
	Timeout     time.Duration   // default deadline per call; 0 = DefaultTimeout
	Logger      *slog.Logger    // nil = slog.Default()

	// MemoryLimit is how much the process's heap may grow during one call before the call is
	// interrupted: 0 = DefaultMemoryLimit, < 0 = no limit. See the package documentation for what it
	// measures.
	MemoryLimit int64
	// PoolSize is how many runtimes are kept prepared ahead of calls: 0 = one per CPU, < 0 = none
	// (every call prepares its own).
	PoolSize int
	// HTTPMaxBody bounds a response body context.http reads: 0 = DefaultHTTPMaxBody.
	HTTPMaxBody int64
}

// Defaults of Config.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultMemoryLimit = 256 << 20
	DefaultHTTPMaxBody = 4 << 20
	DefaultServiceName = "mongodb-atlas"
)

// defaultMaxString is the longest string (and largest buffer, in bytes) a built-in may build in one
// step when there is no memory limit to scale it to; the memory limit lowers it.
const defaultMaxString = 1 << 29

// deadlineSlack is how close to its deadline a call that fails counts as having run out of time.
const deadlineSlack = 5 * time.Millisecond

// maxCallDepth bounds JavaScript recursion, so that a runaway recursion fails as a RangeError instead
// of growing the runtime's stack until the memory watchdog steps in.
const maxCallDepth = 4096

// ErrUnknownFunction is returned (wrapped) by Call for a name the export does not define.
var ErrUnknownFunction = errors.New("functions: unknown function")

// Error is what a function call failed with: a throw, a rejected Promise, a timeout or an interrupt.
// Message is safe to show a client: the thrown Error's message, or the thrown value as a string; it
// never carries a stack.
type Error struct {
	Function string
	Message  string
	Timeout  bool
}

func (e *Error) Error() string { return "function " + e.Function + ": " + e.Message }

// function is one compiled source.
type function struct {
	src  Source
	prog *goja.Program
}

// Engine runs an export's functions. It is safe for concurrent use.
type Engine struct {
	cfg     Config
	log     *slog.Logger
	funcs   map[string]*function
	prelude *goja.Program
	allow   []allowEntry

	pool chan *runner
	done chan struct{}
	wg   sync.WaitGroup
	once sync.Once

	mods moduleCache
	mem  *watchdog

	httpOnce      sync.Once
	httpTransport http.RoundTripper
}

// wrapPrefix opens the function that gives each run of a source its own exports, module and require.
// The source follows on the same line, so that its line numbers are the file's; wrapSuffix, on a line
// of its own after it, hands back what the source left in exports, which is the wrapper's own binding.
const (
	wrapPrefix = "(function (exports, module, require) {"
	wrapSuffix = "\n;return exports;})"
)

// New compiles every source. A syntax error is an error naming the file, line and column. The Engine
// prepares runtimes and watches memory in the background until Close.
func New(cfg Config) (*Engine, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ServiceName == "" {
		cfg.ServiceName = DefaultServiceName
	}
	if cfg.MemoryLimit == 0 {
		cfg.MemoryLimit = DefaultMemoryLimit
	}
	if cfg.HTTPMaxBody <= 0 {
		cfg.HTTPMaxBody = DefaultHTTPMaxBody
	}
	if cfg.PoolSize == 0 {
		cfg.PoolSize = runtime.GOMAXPROCS(0)
	}
	allow, err := parseAllow(cfg.HTTPAllow)
	if err != nil {
		return nil, err
	}
	e := &Engine{
		cfg:   cfg,
		log:   cfg.Logger,
		funcs: make(map[string]*function, len(cfg.Sources)),
		allow: allow,
		done:  make(chan struct{}),
	}
	for _, s := range cfg.Sources {
		if s.Name == "" {
			return nil, fmt.Errorf("functions: %s: a function without a name", s.File)
		}
		if _, dup := e.funcs[s.Name]; dup {
			return nil, fmt.Errorf("functions: %s: a second function named %q", s.File, s.Name)
		}
		file := s.File
		if file == "" {
			file = "functions/" + s.Name + ".js"
		}
		prog, err := compile(file, wrapPrefix+s.Code+wrapSuffix, len(wrapPrefix))
		if err != nil {
			return nil, err
		}
		e.funcs[s.Name] = &function{src: s, prog: prog}
	}
	e.prelude, err = goja.Compile("lanyard:prelude", preludeJS, true)
	if err != nil {
		return nil, fmt.Errorf("functions: prelude: %w", err)
	}
	if cfg.MemoryLimit > 0 {
		e.mem = newWatchdog(cfg.MemoryLimit)
		e.wg.Add(1)
		go func() { defer e.wg.Done(); e.mem.run(e.done) }()
	}
	if cfg.PoolSize > 0 {
		e.pool = make(chan *runner, cfg.PoolSize)
		e.wg.Add(1)
		go e.fill()
	}
	return e, nil
}

// compile parses and compiles a wrapped source; parsing apart keeps the parser's positions, which
// goja.Compile folds into a message.
func compile(file, code string, shift int) (*goja.Program, error) {
	ast, err := parser.ParseFile(nil, file, code, 0)
	if err != nil {
		return nil, syntaxError(file, err, shift)
	}
	prog, err := goja.CompileAST(ast, false)
	if err != nil {
		return nil, syntaxError(file, err, shift)
	}
	return prog, nil
}

// syntaxError renders a compile error as "file:line:column: SyntaxError: message". shift is the length
// of the wrapper prepended to the first line.
func syntaxError(file string, err error, shift int) error {
	line, col, msg := 0, 0, err.Error()
	var list parser.ErrorList
	var one *parser.Error
	var cse *goja.CompilerSyntaxError
	switch {
	case errors.As(err, &list) && len(list) > 0:
		line, col, msg = list[0].Position.Line, list[0].Position.Column, list[0].Message
	case errors.As(err, &one):
		line, col, msg = one.Position.Line, one.Position.Column, one.Message
	case errors.As(err, &cse):
		msg = cse.Message
		if cse.File != nil {
			p := cse.File.Position(cse.Offset)
			line, col = p.Line, p.Column
		}
	}
	if line == 1 && col > shift {
		col -= shift
	}
	if line == 0 {
		return fmt.Errorf("%s: SyntaxError: %s", file, msg)
	}
	return fmt.Errorf("%s:%d:%d: SyntaxError: %s", file, line, col, msg)
}

// Close stops preparing runtimes and the memory watchdog. Calls after Close still work, each preparing
// its own runtime, but without the memory bound.
func (e *Engine) Close() {
	e.once.Do(func() {
		close(e.done)
		e.wg.Wait()
		if e.pool != nil {
			for {
				select {
				case <-e.pool:
					continue
				default:
				}
				break
			}
		}
	})
}

// fill keeps the pool of prepared runtimes full.
func (e *Engine) fill() {
	defer e.wg.Done()
	for {
		r := e.prepare()
		select {
		case e.pool <- r:
		case <-e.done:
			return
		}
	}
}

// take returns a prepared runtime never used before.
func (e *Engine) take() *runner {
	if e.pool != nil {
		select {
		case r := <-e.pool:
			return r
		default:
		}
	}
	return e.prepare()
}

// Has reports whether the export defines a function of that name.
func (e *Engine) Has(name string) bool {
	_, ok := e.funcs[name]
	return ok
}

// Private reports whether the named function is private (callable by other functions and by Lanyard,
// not by clients). It is false for an unknown name.
func (e *Engine) Private(name string) bool {
	f, ok := e.funcs[name]
	return ok && f.src.Private
}

// User is what context.user shows.
type User struct {
	ID         string
	Type       string
	Data       map[string]any
	Identities []Identity
	CustomData map[string]any
}

// Identity is one of a user's identities.
type Identity struct {
	ID           string
	ProviderType string
	Data         map[string]any
}

// Call is one call of a function.
type Call struct {
	Name    string
	Args    []any         // Go values: map[string]any, []any, string, float64, int64, int, bool, nil, time.Time, ObjectID
	User    *User         // context.user; nil = the system user
	Timeout time.Duration // > 0 overrides Config.Timeout
}

// interrupt is the value a runtime is interrupted with.
type interrupt int

const (
	interruptDeadline interrupt = iota + 1
	interruptCancel
	interruptMemory
)

// Call runs a function and returns its result (a fulfilled Promise's value for an async function) as Go
// values. A function that fails returns an *Error; an unknown name, ErrUnknownFunction.
func (e *Engine) Call(ctx context.Context, c Call) (result any, err error) {
	f, ok := e.funcs[c.Name]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownFunction, c.Name)
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = e.cfg.Timeout
	}
	if d, ok := ctx.Deadline(); ok && time.Until(d) < timeout {
		timeout = max(time.Until(d), 0)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	r := e.take()
	r.ctx = ctx
	r.name = c.Name
	stop := context.AfterFunc(ctx, func() {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			r.interruptWith(interruptDeadline)
		} else {
			r.interruptWith(interruptCancel)
		}
	})
	defer stop()
	if e.mem != nil && !e.closed() {
		e.mem.add(r)
		defer e.mem.remove(r)
	}
	defer func() {
		// A runtime is never reused, whatever happened in it: the panic guard below leaves nothing to
		// clean up but the answer.
		if p := recover(); p != nil {
			e.log.Error("functions: internal error", "function", c.Name, "panic", fmt.Sprint(p))
			result, err = nil, &Error{Function: c.Name, Message: "internal error"}
		}
	}()

	// A function that failed after its deadline passed failed because of it, even when a binding saw the
	// deadline before the interrupt did and the function rethrew what the binding said.
	deadline := func(err error) error {
		// The deadline is read off the clock, with a little slack: the context's own timer can fire a
		// moment after a binding's I/O deadline, taken from the same context, has; and the database
		// driver refuses, as busy, an operation it expects not to finish before the deadline.
		d, _ := ctx.Deadline()
		switch {
		case errors.Is(ctx.Err(), context.DeadlineExceeded) || time.Until(d) < deadlineSlack:
			r.interrupted.CompareAndSwap(0, int32(interruptDeadline))
		case ctx.Err() != nil:
			r.interrupted.CompareAndSwap(0, int32(interruptCancel))
		default:
			if err == nil {
				// Only reached when the deadline passed but the clock and the context disagree by
				// the slack: count it as the deadline.
				r.interrupted.CompareAndSwap(0, int32(interruptDeadline))
				break
			}
			return err
		}
		return e.failure(r, c.Name, timeout, &goja.InterruptedError{})
	}
	v, err := r.run(f, c)
	if err != nil {
		var ie *goja.InterruptedError
		if errors.As(err, &ie) {
			return nil, e.failure(r, c.Name, timeout, err)
		}
		return nil, deadline(e.failure(r, c.Name, timeout, err))
	}
	if o, ok := v.(*goja.Object); ok {
		if p, ok := o.Export().(*goja.Promise); ok {
			switch p.State() {
			case goja.PromiseStateFulfilled:
				v = p.Result()
			case goja.PromiseStateRejected:
				return nil, deadline(e.thrown(c.Name, p.Result(), nil))
			default:
				if r.interrupted.Load() != 0 {
					return nil, e.failure(r, c.Name, timeout, &goja.InterruptedError{})
				}
				return nil, deadline(&Error{Function: c.Name, Message: "function " + c.Name + " returned a promise that never settled"})
			}
		}
	}
	// Finishing after the deadline is not finishing in time, though the interrupt may not have landed
	// yet (a binding that saw the deadline returned first, and the function went on to handle that).
	if d, _ := ctx.Deadline(); ctx.Err() != nil || !time.Now().Before(d) {
		return nil, deadline(nil)
	}
	out, cerr := r.toGo(v, 0)
	if cerr != nil {
		return nil, &Error{Function: c.Name, Message: "function " + c.Name + " returned a value Lanyard cannot read: " + cerr.Error()}
	}
	return out, nil
}

func (e *Engine) closed() bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}

// failure turns what running a function returned into an *Error.
func (e *Engine) failure(r *runner, name string, timeout time.Duration, err error) error {
	var ie *goja.InterruptedError
	var so *goja.StackOverflowError
	var ex *goja.Exception
	switch {
	case errors.As(err, &ie):
		switch interrupt(r.interrupted.Load()) {
		case interruptMemory:
			return &Error{Function: name, Message: fmt.Sprintf("function %s used more than %d MiB of memory", name, e.cfg.MemoryLimit>>20)}
		case interruptCancel:
			return &Error{Function: name, Message: "function " + name + " was cancelled"}
		}
		return &Error{Function: name, Timeout: true, Message: fmt.Sprintf("function %s did not finish within %s", name, roundDuration(timeout))}
	case errors.As(err, &so):
		return &Error{Function: name, Message: "function " + name + " exceeded the maximum call stack size"}
	case errors.As(err, &ex):
		return e.thrown(name, ex.Value(), ex)
	}
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	e.log.Error("functions: internal error", "function", name, "error", err)
	return &Error{Function: name, Message: "internal error"}
}

func roundDuration(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Microsecond)
}

// thrown turns a thrown value or a rejection reason into an *Error; the stack goes to the log.
func (e *Engine) thrown(name string, v goja.Value, ex *goja.Exception) *Error {
	msg := "undefined"
	stack := ""
	if v != nil {
		msg = v.String()
		if o, ok := v.(*goja.Object); ok {
			if m := o.Get("message"); m != nil && !goja.IsUndefined(m) && isError(o) {
				msg = m.String()
			}
			if s := o.Get("stack"); s != nil && !goja.IsUndefined(s) && !goja.IsNull(s) {
				stack = s.String()
			}
		}
	}
	if stack == "" && ex != nil {
		stack = ex.String()
	}
	e.log.Warn("functions: function failed", "function", name, "message", msg, "stack", stack)
	return &Error{Function: name, Message: msg}
}

// isError reports whether o is an Error (its prototype chain reaches Error.prototype). Proxies and
// exotic objects that throw on access count as not.
func isError(o *goja.Object) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	for p := o; p != nil; p = p.Prototype() {
		if p.ClassName() == "Error" {
			return true
		}
	}
	return false
}

// safeText trims a message to one line of bounded length for the log and for clients.
func safeText(s string, limit int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	return s
}
