package functions

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"
)

func TestExportForms(t *testing.T) {
	e, _ := newEngine(t, Config{},
		src("plain", `exports = function (a, b) { return a + b; };`),
		src("async", `exports = async function (a) { return await Promise.resolve(a * 2); };`),
		src("module", `module.exports = (x) => ({x, list: [1, "two", true, null]});`),
		src("exportsProp", `const helper = (s) => s.toUpperCase();
module.exports = function (s) { return helper(s); };`),
	)
	if got := call(t, e, "plain", 2.0, int64(3)); got != 5.0 {
		t.Errorf("plain = %#v, want 5", got)
	}
	if got := call(t, e, "async", 21.0); got != 42.0 {
		t.Errorf("async = %#v, want 42", got)
	}
	want := map[string]any{"x": "y", "list": []any{1.0, "two", true, nil}}
	if got := call(t, e, "module", "y"); !reflect.DeepEqual(got, want) {
		t.Errorf("module = %#v, want %#v", got, want)
	}
	if got := call(t, e, "exportsProp", "abc"); got != "ABC" {
		t.Errorf("exportsProp = %#v", got)
	}
	if !e.Has("plain") || e.Has("nope") {
		t.Error("Has is wrong")
	}
}

func TestArgumentsAndResultsRoundTrip(t *testing.T) {
	e, _ := newEngine(t, Config{}, src("echo", `exports = function (v) {
		if (!(v.when instanceof Date)) throw new Error("when is not a Date");
		if (!(v.id instanceof BSON.ObjectId)) throw new Error("id is not an ObjectId");
		return v;
	};`))
	when := time.Date(2026, 12, 8, 1, 2, 3, 4_000_000, time.UTC)
	id, _ := ObjectIDFromHex("5f1e2d3c4b5a697887766554")
	in := map[string]any{"when": when, "id": id, "n": int64(7), "nested": map[string]any{"a": []any{"b"}}}
	got := call(t, e, "echo", in)
	want := map[string]any{"when": when, "id": id, "n": 7.0, "nested": map[string]any{"a": []any{"b"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("echo = %#v\nwant %#v", got, want)
	}
}

func TestUnknownFunction(t *testing.T) {
	e, _ := newEngine(t, Config{}, src("a", `exports = () => 1;`))
	_, err := e.Call(context.Background(), Call{Name: "b"})
	if !errors.Is(err, ErrUnknownFunction) || !strings.Contains(err.Error(), `"b"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestUnsupportedArgument(t *testing.T) {
	e, _ := newEngine(t, Config{}, src("a", `exports = (x) => x;`))
	fe := callErr(t, e, Call{Name: "a", Args: []any{"ok", struct{}{}}})
	if fe.Message != "argument 2: a value of Go type struct {} cannot be given to a function" {
		t.Errorf("Message = %q", fe.Message)
	}
}

func TestNoExportedFunction(t *testing.T) {
	e, _ := newEngine(t, Config{}, src("empty", `const x = 1;`))
	fe := callErr(t, e, Call{Name: "empty"})
	if !strings.Contains(fe.Message, "does not export a function") {
		t.Fatalf("message = %q", fe.Message)
	}
}

func TestThrownErrorGivesMessageAndLogsStack(t *testing.T) {
	e, logs := newEngine(t, Config{},
		src("throws", `exports = function () {
  inner();
};
function inner() { throw new TypeError("the payload has no email"); }`),
		src("throwsString", `exports = function () { throw "plain text"; };`),
	)
	fe := callErr(t, e, Call{Name: "throws"})
	if fe.Message != "the payload has no email" {
		t.Errorf("Message = %q", fe.Message)
	}
	if fe.Timeout {
		t.Error("Timeout set on a throw")
	}
	if strings.Contains(fe.Error(), "at ") || strings.Contains(fe.Error(), ".js:") {
		t.Errorf("the error carries a stack: %q", fe.Error())
	}
	rec, ok := logs.find("function failed")
	if !ok {
		t.Fatalf("no log of the failure; log: %v", logs.all())
	}
	if rec.Level != slog.LevelWarn || rec.Attrs["function"] != "throws" || !strings.Contains(rec.Attrs["stack"], "functions/throws.js:4") {
		t.Errorf("log record = %+v", rec)
	}
	if fe := callErr(t, e, Call{Name: "throwsString"}); fe.Message != "plain text" {
		t.Errorf("Message = %q", fe.Message)
	}
}

func TestRejectedPromise(t *testing.T) {
	e, _ := newEngine(t, Config{},
		src("rejects", `exports = async function () { await null; throw new Error("rejected here"); };`),
		src("rejectsValue", `exports = function () { return Promise.reject(42); };`),
	)
	if fe := callErr(t, e, Call{Name: "rejects"}); fe.Message != "rejected here" {
		t.Errorf("Message = %q", fe.Message)
	}
	if fe := callErr(t, e, Call{Name: "rejectsValue"}); fe.Message != "42" {
		t.Errorf("Message = %q", fe.Message)
	}
}

func TestNeverSettlingPromise(t *testing.T) {
	e, _ := newEngine(t, Config{}, src("hangs", `exports = async function () { await new Promise(() => {}); return 1; };`))
	fe := callErr(t, e, Call{Name: "hangs"})
	if fe.Message != "function hangs returned a promise that never settled" {
		t.Errorf("Message = %q", fe.Message)
	}
}

func TestEndlessLoopIsInterruptedAtTheDeadline(t *testing.T) {
	e, _ := newEngine(t, Config{Timeout: backstop},
		src("loop", `exports = function () { while (true) {} };`),
		src("ok", `exports = () => "fine";`),
	)
	start := time.Now()
	fe := callErr(t, e, Call{Name: "loop", Timeout: 100 * time.Millisecond})
	if !fe.Timeout || fe.Message != "function loop did not finish within 100ms" {
		t.Errorf("error = %+v", fe)
	}
	if took := time.Since(start); took < 100*time.Millisecond {
		t.Errorf("interrupted after %s, before the deadline", took)
	}
	if got := call(t, e, "ok"); got != "fine" {
		t.Errorf("next call = %#v", got)
	}
}

func TestConfiguredTimeoutAndCancel(t *testing.T) {
	e, _ := newEngine(t, Config{Timeout: 50 * time.Millisecond},
		src("loop", `exports = function () { for (;;) {} };`))
	fe := callErr(t, e, Call{Name: "loop"})
	if !fe.Timeout || !strings.Contains(fe.Message, "within 50ms") {
		t.Errorf("error = %+v", fe)
	}

	e2, _ := newEngine(t, Config{Timeout: backstop}, src("loop", `exports = function () { for (;;) {} };`))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := e2.Call(ctx, Call{Name: "loop"})
		done <- err
	}()
	cancel()
	err := <-done
	var ce *Error
	if !errors.As(err, &ce) || ce.Timeout || ce.Message != "function loop was cancelled" {
		t.Errorf("cancelled call: %v", err)
	}
}

func TestMemoryBombIsInterrupted(t *testing.T) {
	e, _ := newEngine(t, Config{Timeout: backstop, MemoryLimit: 64 << 20},
		src("bomb", `exports = function () {
			const hoard = [];
			for (;;) hoard.push(new Array(4096).fill("x".repeat(64) + hoard.length));
		};`),
		src("ok", `exports = () => [1, 2, 3].length;`),
	)
	fe := callErr(t, e, Call{Name: "bomb"})
	if fe.Timeout || fe.Message != "function bomb used more than 64 MiB of memory" {
		t.Errorf("error = %+v", fe)
	}
	runtime.GC()
	if got := call(t, e, "ok"); got != 3.0 {
		t.Errorf("next call = %#v", got)
	}
}

func TestStateIsNotSharedBetweenCalls(t *testing.T) {
	e, _ := newEngine(t, Config{PoolSize: 2}, src("leaky", `exports = function () {
		const seen = [typeof globalThis.leaked, typeof Object.prototype.polluted, "extra" in context];
		globalThis.leaked = 1;
		Object.prototype.polluted = 1;
		context.extra = 1;
		return seen.join(",");
	};`))
	for i := range 5 {
		if got := call(t, e, "leaky"); got != "undefined,undefined,false" {
			t.Fatalf("call %d saw %v", i, got)
		}
	}
	// Without a pool too.
	e2, _ := newEngine(t, Config{PoolSize: -1}, src("leaky", `exports = function () {
		const seen = typeof globalThis.leaked; globalThis.leaked = 1; return seen; };`))
	for range 3 {
		if got := call(t, e2, "leaky"); got != "undefined" {
			t.Fatalf("saw %v", got)
		}
	}
}

func TestSyntaxErrorNamesFileLineAndColumn(t *testing.T) {
	_, err := New(Config{Sources: []Source{src("bad", "exports = function () {\n  let x = ;\n};")}})
	if err == nil || !strings.HasPrefix(err.Error(), "functions/bad.js:2:11: SyntaxError: ") {
		t.Fatalf("err = %v", err)
	}
	_, err = New(Config{Sources: []Source{src("bad1", "exports = )")}})
	if err == nil || !strings.HasPrefix(err.Error(), "functions/bad1.js:1:11: SyntaxError: ") {
		t.Fatalf("err = %v", err)
	}
	_, err = New(Config{Sources: []Source{src("a", "exports = 1"), src("a", "exports = 2")}})
	if err == nil || !strings.Contains(err.Error(), `a second function named "a"`) {
		t.Fatalf("duplicate: %v", err)
	}
}

func TestConsoleGoesToTheLog(t *testing.T) {
	e, logs := newEngine(t, Config{}, src("talks", `exports = function () {
		console.log("hello", {a: 1}, 2);
		console.warn("careful");
		console.error("bad");
		console.debug("detail");
		console.info("info");
	};`))
	call(t, e, "talks")
	want := map[string]slog.Level{`hello {"a":1} 2`: slog.LevelInfo, "careful": slog.LevelWarn, "bad": slog.LevelError, "detail": slog.LevelDebug, "info": slog.LevelInfo}
	for msg, level := range want {
		rec, ok := logs.find(msg)
		if !ok {
			t.Errorf("no record %q", msg)
			continue
		}
		if rec.Level != level || rec.Attrs["function"] != "talks" {
			t.Errorf("record %q = %+v", msg, rec)
		}
	}
}

func TestFunctionsExecute(t *testing.T) {
	e, _ := newEngine(t, Config{Timeout: 200 * time.Millisecond},
		src("outer", `exports = async function (n) { return await context.functions.execute("auth/inner", n, 2) + 1; };`),
		src("auth/inner", `exports = async (a, b) => a * b;`),
		src("missing", `exports = function () { return context.functions.execute("ghost"); };`),
		src("caller", `exports = function () { try { context.functions.execute("thrower"); } catch (e) { return "caught " + e.message; } };`),
		src("thrower", `exports = function () { throw new Error("from thrower"); };`),
		src("loops", `exports = function () { return context.functions.execute("spin"); };`),
		src("spin", `exports = function () { for (;;) {} };`),
	)
	if got := call(t, e, "outer", 5.0); got != 11.0 {
		t.Errorf("outer = %#v", got)
	}
	if fe := callErr(t, e, Call{Name: "missing"}); !strings.Contains(fe.Message, `no function "ghost"`) {
		t.Errorf("missing: %q", fe.Message)
	}
	if got := call(t, e, "caller"); got != "caught from thrower" {
		t.Errorf("caller = %#v", got)
	}
	if fe := callErr(t, e, Call{Name: "loops"}); !fe.Timeout || fe.Function != "loops" {
		t.Errorf("loops: %+v", fe)
	}
}

func TestValuesAndEnvironment(t *testing.T) {
	e, _ := newEngine(t, Config{
		Values:      map[string]any{"apiKey": "s3cret", "limits": map[string]any{"max": 3.0}},
		Environment: Environment{Tag: "production", Values: map[string]any{"region": "eu"}},
	}, src("vals", `exports = function () {
		return [context.values.get("apiKey"), context.values.get("limits").max, context.values.get("nope") === undefined,
			context.environment.tag, context.environment.values.region];
	};`))
	want := []any{"s3cret", 3.0, true, "production", "eu"}
	if got := call(t, e, "vals"); !reflect.DeepEqual(got, want) {
		t.Errorf("vals = %#v", got)
	}
}

func TestContextUser(t *testing.T) {
	e, _ := newEngine(t, Config{},
		src("who", `exports = function () { return context.user; };`),
		src("system", `exports = function () { return context.runningAsSystem(); };`))
	v, err := e.Call(context.Background(), Call{Name: "who", User: &User{
		ID: "u1", Type: "normal", Data: map[string]any{"email": "a@b.c"},
		Identities: []Identity{{ID: "i1", ProviderType: "local-userpass", Data: map[string]any{"email": "a@b.c"}}},
		CustomData: map[string]any{"color": "blue"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"id": "u1", "type": "normal", "data": map[string]any{"email": "a@b.c"},
		"identities":  []any{map[string]any{"id": "i1", "provider_type": "local-userpass", "data": map[string]any{"email": "a@b.c"}}},
		"custom_data": map[string]any{"color": "blue"}}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("user = %#v", v)
	}
	sys := call(t, e, "who")
	wantSys := map[string]any{"id": "", "type": "system", "data": map[string]any{}, "identities": []any{}, "custom_data": map[string]any{}}
	if !reflect.DeepEqual(sys, wantSys) {
		t.Errorf("system user = %#v", sys)
	}
	if call(t, e, "system") != true {
		t.Error("runningAsSystem is false for the system user")
	}
	if v, err := e.Call(context.Background(), Call{Name: "system", User: &User{ID: "u"}}); err != nil || v != false {
		t.Errorf("runningAsSystem for a user = %v, %v", v, err)
	}
}

func TestUnsupportedMembersAreNamed(t *testing.T) {
	e, _ := newEngine(t, Config{}, src("probe", `exports = function (expr) {
		try { eval(expr); return "no error"; } catch (e) { return e.message; }
	};`))
	cases := map[string]string{
		`context.foo`:                           "context.foo is not supported by Lanyard's functions",
		`context.app.id`:                        "context.app is not supported by Lanyard's functions",
		`context.http.request({})`:              "context.http.request is not supported by Lanyard's functions",
		`BSON.Int32(1)`:                         "BSON.Int32 is not supported by Lanyard's functions",
		`EJSON.serialize({})`:                   "EJSON.serialize is not supported by Lanyard's functions",
		`context.values.all`:                    "context.values.all is not supported by Lanyard's functions",
		`context.services.get("other")`:         `context.services.get("other"): Lanyard's functions support only the MongoDB service "mongodb-atlas"`,
		`context.services.get("mongodb-atlas")`: `context.services.get("mongodb-atlas"): this Lanyard has no database for functions`,
	}
	for expr, want := range cases {
		if got := call(t, e, "probe", expr); got != want {
			t.Errorf("%s: %q, want %q", expr, got, want)
		}
	}
}

func TestBSONAndEJSON(t *testing.T) {
	e, _ := newEngine(t, Config{}, src("bson", `exports = function () {
		const a = new BSON.ObjectId();
		const b = BSON.ObjectId(a.toHexString());
		const fixed = BSON.ObjectId("5F1E2D3C4B5A697887766554");
		let bad = "";
		try { BSON.ObjectId("zz"); } catch (e) { bad = e.message; }
		const doc = {id: fixed, when: new Date(0), n: 1, f: 1.5, big: 2 ** 40};
		return {
			equal: a.equals(b) && !a.equals(fixed) && b.equals(a.toString()),
			hex: fixed.toHexString(),
			bad,
			relaxed: EJSON.stringify(doc),
			canonical: EJSON.stringify(doc, {relaxed: false}),
			parsed: EJSON.parse('{"id": {"$oid": "5f1e2d3c4b5a697887766554"}, "when": {"$date": "1970-01-01T00:00:00Z"}, "n": {"$numberInt": "3"}}'),
			returned: fixed,
		};
	};`))
	got := call(t, e, "bson").(map[string]any)
	id, _ := ObjectIDFromHex("5f1e2d3c4b5a697887766554")
	checks := map[string]any{
		"equal":     true,
		"hex":       "5f1e2d3c4b5a697887766554",
		"bad":       `BSON.ObjectId: "zz" is not a 24-digit hexadecimal string`,
		"relaxed":   `{"id":{"$oid":"5f1e2d3c4b5a697887766554"},"when":{"$date":"1970-01-01T00:00:00Z"},"n":1,"f":1.5,"big":1.099511627776E+12}`,
		"canonical": `{"id":{"$oid":"5f1e2d3c4b5a697887766554"},"when":{"$date":{"$numberLong":"0"}},"n":{"$numberInt":"1"},"f":{"$numberDouble":"1.5"},"big":{"$numberDouble":"1.099511627776E+12"}}`,
		"parsed":    map[string]any{"id": id, "when": time.Unix(0, 0).UTC(), "n": 3.0},
		"returned":  id,
	}
	for k, want := range checks {
		if !reflect.DeepEqual(got[k], want) {
			t.Errorf("%s = %#v\nwant %#v", k, got[k], want)
		}
	}
}

func TestPanicInABindingBecomesAnException(t *testing.T) {
	e, logs := newEngine(t, Config{PoolSize: -1}, src("f", `exports = () => 1;`))
	r := e.prepare()
	_ = r.rt.Set("explode", r.guarded("explode", func(goja.FunctionCall) goja.Value { panic("a bug in Go") }))
	v, err := r.rt.RunString(`(function () { try { explode(); return "no"; } catch (e) { return e.message; } })()`)
	if err != nil {
		t.Fatal(err)
	}
	if v.String() != "explode: internal error" {
		t.Errorf("caught %q", v.String())
	}
	if _, ok := logs.find("a binding failed"); !ok {
		t.Error("the panic was not logged")
	}
}

func TestConcurrentCalls(t *testing.T) {
	e, _ := newEngine(t, Config{PoolSize: 2},
		src("work", `exports = async function (i) {
			globalThis.mine = i;
			const doubled = await context.functions.execute("double", i);
			if (globalThis.mine !== i) throw new Error("another call's global");
			return doubled;
		};`),
		src("double", `exports = (x) => x * 2;`),
	)
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for g := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				n := float64(g*100 + i)
				v, err := e.Call(context.Background(), Call{Name: "work", Args: []any{n}})
				if err != nil {
					errs <- err
				} else if v != n*2 {
					errs <- fmt.Errorf("work(%v) = %v", n, v)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestOneStepAllocationsAreRefused(t *testing.T) {
	e, _ := newEngine(t, Config{MemoryLimit: 64 << 20}, src("probe", `exports = function (expr) {
		try { return String(eval(expr)); } catch (e) { return e.name + ": " + e.message; }
	};`))
	cases := map[string]string{
		`"x".repeat(2 ** 40)`:                                   "RangeError: Invalid string length",
		`"x".padEnd(2 ** 40)`:                                   "RangeError: Invalid string length",
		`new Array(2 ** 31).fill(0)`:                            "RangeError: Invalid array length",
		`new Array(2 ** 31).join("ab")`:                         "RangeError: Invalid string length",
		`new Array(2 ** 20).fill("x".repeat(2 ** 10)).join("")`: "RangeError: Invalid string length",
		`["a", "b"].toString()`:                                 "a,b",
		`Array.from({length: 2 ** 31})`:                         "RangeError: Invalid array length",
		`new ArrayBuffer(2 ** 40)`:                              "RangeError: Invalid array length",
		`new Float64Array(2 ** 30)`:                             "RangeError: Invalid array length",
		`"ab".repeat(3)`:                                        "ababab",
		`[1, 2].join("-") + new Array(3).fill(7)`:               "1-27,7,7",
		`Array.from({length: 2}).length`:                        "2",
		`new Uint8Array([1, 2]).length`:                         "2",
		`new Uint8Array(4) instanceof Uint8Array`:               "true",
		`new ArrayBuffer(8).byteLength`:                         "8",
		`"7".padStart(3, "0")`:                                  "007",
	}
	for expr, want := range cases {
		if got := call(t, e, "probe", expr); got != want {
			t.Errorf("%s: %q, want %q", expr, got, want)
		}
	}
}

func TestBoundedConstructorsBehaveAsTheBuiltIns(t *testing.T) {
	e, _ := newEngine(t, Config{}, src("probe", `exports = function () {
		const u = new Uint8Array([1, 2, 3]);
		const f = Float64Array.from([1.5]);
		const b = new ArrayBuffer(4);
		return [u instanceof Uint8Array, u.subarray(1).length, f[0], Uint8Array.BYTES_PER_ELEMENT,
			ArrayBuffer.isView(u), b instanceof ArrayBuffer, new Uint8Array(b).length, u.map((x) => x * 2).join(",")];
	};`))
	want := []any{true, 2.0, 1.5, 1.0, true, true, 4.0, "2,4,6"}
	if got := call(t, e, "probe"); !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v", got)
	}
}
