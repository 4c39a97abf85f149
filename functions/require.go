package functions

import (
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/dop251/goja"
)

// nodeBuiltins are Node's own modules, which functions cannot have.
var nodeBuiltins = map[string]bool{}

func init() {
	for _, m := range strings.Fields(`assert async_hooks buffer child_process cluster console constants crypto
		dgram diagnostics_channel dns domain events fs http http2 https inspector module net os path perf_hooks
		process punycode querystring readline repl stream string_decoder sys timers tls trace_events tty url
		util v8 vm wasi worker_threads zlib test sqlite sea`) {
		nodeBuiltins[m] = true
	}
}

// maxModuleSize bounds one file require reads.
const maxModuleSize = 8 << 20

// moduleWrapPrefix opens the function that gives a package file its CommonJS scope; the file follows on
// the same line, keeping its line numbers.
const moduleWrapPrefix = "(function (exports, require, module, __filename, __dirname) {"

// moduleCache keeps compiled package files. Compiled programs hold no state of a call, so every call
// can share them; each call still runs the files afresh.
type moduleCache struct {
	progs sync.Map // absolute path -> *goja.Program
}

// modScope is where a require call is made from: a file inside a package (root is the package
// directory, dir the file's directory).
type modScope struct{ root, dir string }

// requireFrom is require(name) called by a function source (scope nil) or by a package file.
func (r *runner) requireFrom(scope *modScope, nameV goja.Value) goja.Value {
	name, ok := nameV.Export().(string)
	if !ok || name == "" {
		r.throw("require: the module name must be a non-empty string")
	}
	if strings.HasPrefix(name, "./") || strings.HasPrefix(name, "../") || strings.HasPrefix(name, "/") {
		if scope == nil {
			r.throw("require(%q): functions can require only packages of functions/node_modules", name)
		}
		p := filepath.Join(scope.dir, filepath.FromSlash(name))
		file, ok := resolveFile(scope.root, p)
		if !ok {
			r.throw("require(%q): no such file in the package", name)
		}
		return r.loadModule(scope.root, file)
	}
	base := strings.TrimPrefix(name, "node:")
	first, _, _ := strings.Cut(base, "/")
	if strings.HasPrefix(name, "node:") || nodeBuiltins[first] {
		r.throw("require(%q): Node built-in modules are not available in Lanyard's functions", name)
	}
	pkg, sub := splitPackage(name)
	noPkg := func() {
		r.throw("require(%q): the export carries no package %q (functions/node_modules)", name, pkg)
	}
	if pkg == "" || r.e.cfg.NodeModules == "" {
		noPkg()
	}
	root := filepath.Join(r.e.cfg.NodeModules, filepath.FromSlash(pkg))
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		noPkg()
	}
	var file string
	if sub == "" {
		file, ok = packageMain(root)
	} else {
		file, ok = resolveFile(root, filepath.Join(root, filepath.FromSlash(sub)))
	}
	if !ok {
		r.throw("require(%q): the package %q has no such module", name, pkg)
	}
	return r.loadModule(root, file)
}

// splitPackage splits "pkg/sub" and "@scope/pkg/sub"; a name that could leave node_modules gives "".
func splitPackage(name string) (pkg, sub string) {
	parts := strings.Split(name, "/")
	n := 1
	if strings.HasPrefix(name, "@") {
		n = 2
	}
	if len(parts) < n {
		return "", ""
	}
	for _, p := range parts[:n] {
		if p == "" || p == "." || p == ".." || strings.ContainsAny(p, `\:`) {
			return "", ""
		}
	}
	return strings.Join(parts[:n], "/"), strings.Join(parts[n:], "/")
}

// packageMain finds a package's entry: package.json's main, else index.js.
func packageMain(root string) (string, bool) {
	if b, err := os.ReadFile(filepath.Join(root, "package.json")); err == nil {
		var pj struct {
			Main string `json:"main"`
		}
		if json.Unmarshal(b, &pj) == nil && pj.Main != "" {
			return resolveFile(root, filepath.Join(root, filepath.FromSlash(pj.Main)))
		}
	}
	return resolveFile(root, filepath.Join(root, "index.js"))
}

// resolveFile finds p, p.js, p.json or p/index.js inside root; nothing outside root, symbolic links
// included, is ever returned.
func resolveFile(root, p string) (string, bool) {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", false
	}
	for _, c := range []string{p, p + ".js", p + ".json", filepath.Join(p, "index.js")} {
		if !within(root, c) {
			continue
		}
		real, err := filepath.EvalSymlinks(c)
		if err != nil || !within(realRoot, real) {
			continue
		}
		if st, err := os.Stat(real); err == nil && st.Mode().IsRegular() {
			return real, true
		}
	}
	return "", false
}

func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// loadModule runs a package file once per call and returns its module.exports.
func (r *runner) loadModule(root, file string) goja.Value {
	if m, ok := r.modules[file]; ok {
		return m.Get("exports")
	}
	rel, _ := filepath.Rel(r.e.cfg.NodeModules, file)
	shown := path.Join("functions/node_modules", filepath.ToSlash(rel))
	st, err := os.Stat(file)
	if err != nil || st.Size() > maxModuleSize {
		r.throw("require: %s cannot be read", shown)
	}
	src, err := os.ReadFile(file)
	if err != nil {
		r.throw("require: %s cannot be read", shown)
	}
	module := r.rt.NewObject()
	exports := r.rt.NewObject()
	_ = module.Set("exports", exports)
	r.modules[file] = module
	if strings.HasSuffix(file, ".json") {
		var v any
		if err := json.Unmarshal(src, &v); err != nil {
			r.throw("require: %s is not valid JSON", shown)
		}
		j, err := r.toJS(v, 0)
		if err != nil {
			r.throw("require: %s: %v", shown, err)
		}
		_ = module.Set("exports", j)
		return j
	}
	prog, err := r.e.mods.program(file, shown, string(src))
	if err != nil {
		delete(r.modules, file)
		r.throw("require: %v", err)
	}
	v, err := r.rt.RunProgram(prog)
	if err != nil {
		panic(asThrow(r, err))
	}
	wrap, _ := goja.AssertFunction(v)
	scope := &modScope{root: root, dir: filepath.Dir(file)}
	req := r.rt.ToValue(r.guarded("require", func(c goja.FunctionCall) goja.Value {
		return r.requireFrom(scope, c.Argument(0))
	}))
	if _, err := wrap(goja.Undefined(), exports, req, module, r.rt.ToValue(shown), r.rt.ToValue(path.Dir(shown))); err != nil {
		delete(r.modules, file)
		panic(asThrow(r, err))
	}
	return module.Get("exports")
}

func (m *moduleCache) program(file, shown, src string) (*goja.Program, error) {
	if p, ok := m.progs.Load(file); ok {
		return p.(*goja.Program), nil
	}
	p, err := compile(shown, moduleWrapPrefix+src+"\n})", len(moduleWrapPrefix))
	if err != nil {
		return nil, err
	}
	m.progs.Store(file, p)
	return p, nil
}
