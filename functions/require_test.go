package functions

import (
	"os"
	"path/filepath"
	"testing"
)

// writeFiles writes files (slash paths relative to dir) for a test.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRequire(t *testing.T) {
	exportDir := t.TempDir()
	modules := filepath.Join(exportDir, "functions", "node_modules")
	writeFiles(t, exportDir, map[string]string{
		"secret.js": `module.exports = "outside the package";`,
		"functions/node_modules/greeter/package.json": `{"name": "greeter", "main": "lib/main.js"}`,
		"functions/node_modules/greeter/lib/main.js": `
			const words = require("./words");
			const data = require("../data.json");
			let calls = 0;
			exports.greet = (name) => { calls++; return words.hello + ", " + name + data.mark; };
			exports.calls = () => calls;
			exports.where = __filename;`,
		"functions/node_modules/greeter/lib/words.js": `module.exports = {hello: "Hello"};`,
		"functions/node_modules/greeter/data.json":    `{"mark": "!"}`,
		"functions/node_modules/greeter/escape.js":    `module.exports = require("../../../secret.js");`,
		"functions/node_modules/@scope/tiny/index.js": `module.exports = () => "scoped";`,
		"functions/node_modules/usesfs/index.js":      `module.exports = require("fs");`,
		"functions/node_modules/broken/index.js":      "module.exports = function () {\n  return ;;; )\n};",
	})
	e, _ := newEngine(t, Config{NodeModules: modules},
		src("greet", `exports = function (name) {
			const g = require("greeter");
			const again = require("greeter");
			if (g !== again) throw new Error("a package ran twice in one call");
			return [g.greet(name), g.calls(), g.where];
		};`),
		src("scoped", `exports = () => require("@scope/tiny")();`),
		src("req", `exports = function (name) { try { require(name); return "loaded"; } catch (e) { return e.message; } };`),
	)
	want := []any{"Hello, Ada!", 1.0, "functions/node_modules/greeter/lib/main.js"}
	for i := range 2 {
		got := call(t, e, "greet", "Ada")
		if !equalJSON(got, want) {
			t.Fatalf("call %d: greet = %#v, want %#v (a package's state must not outlive its call)", i, got, want)
		}
	}
	if got := call(t, e, "scoped"); got != "scoped" {
		t.Errorf("scoped = %#v", got)
	}
	cases := map[string]string{
		"fs":                      `require("fs"): Node built-in modules are not available in Lanyard's functions`,
		"node:fs":                 `require("node:fs"): Node built-in modules are not available in Lanyard's functions`,
		"child_process":           `require("child_process"): Node built-in modules are not available in Lanyard's functions`,
		"crypto":                  `require("crypto"): Node built-in modules are not available in Lanyard's functions`,
		"fs/promises":             `require("fs/promises"): Node built-in modules are not available in Lanyard's functions`,
		"lodash":                  `require("lodash"): the export carries no package "lodash" (functions/node_modules)`,
		"../secret":               `require("../secret"): functions can require only packages of functions/node_modules`,
		"greeter/../../../secret": `require("greeter/../../../secret"): the package "greeter" has no such module`,
		"greeter/escape":          `require("../../../secret.js"): no such file in the package`,
		"usesfs":                  `require("fs"): Node built-in modules are not available in Lanyard's functions`,
		"broken":                  `require: functions/node_modules/broken/index.js:2:14: SyntaxError: Unexpected token )`,
	}
	for name, want := range cases {
		if got := call(t, e, "req", name); got != want {
			t.Errorf("require(%q): %q\nwant %q", name, got, want)
		}
	}

	none, _ := newEngine(t, Config{}, src("req", `exports = function () { try { require("lodash"); } catch (e) { return e.message; } };`))
	if got := call(t, none, "req"); got != `require("lodash"): the export carries no package "lodash" (functions/node_modules)` {
		t.Errorf("without node_modules: %q", got)
	}
}

func TestRequireRefusesASymlinkOutOfThePackage(t *testing.T) {
	exportDir := t.TempDir()
	modules := filepath.Join(exportDir, "node_modules")
	writeFiles(t, exportDir, map[string]string{
		"outside.js":                  `module.exports = "outside";`,
		"node_modules/linky/index.js": `module.exports = require("./link");`,
	})
	if err := os.Symlink(filepath.Join(exportDir, "outside.js"), filepath.Join(modules, "linky", "link.js")); err != nil {
		t.Fatal(err)
	}
	e, _ := newEngine(t, Config{NodeModules: modules},
		src("req", `exports = function () { try { return require("linky"); } catch (e) { return e.message; } };`))
	if got := call(t, e, "req"); got != `require("./link"): no such file in the package` {
		t.Errorf("got %q", got)
	}
}

// equalJSON compares values as the engine returns them.
func equalJSON(a, b any) bool {
	as, aok := a.([]any)
	bs, bok := b.([]any)
	if !aok || !bok || len(as) != len(bs) {
		return false
	}
	for i := range as {
		if as[i] != bs[i] {
			return false
		}
	}
	return true
}
