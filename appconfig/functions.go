package appconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// The directories and files of an export's functions and what they use, relative to the export
// directory.
const (
	DirFunctions        = "functions"
	FileFunctionsConfig = "functions/config.json"
	DirNodeModules      = "functions/node_modules"
	DirValues           = "values"
	DirEnvironments     = "environments"
	DirDataSources      = "data_sources"
	DirTriggers         = "triggers"
)

// DefaultMongoServiceName is the name App Services gives an app's linked cluster, used when the export
// has no MongoDB data source.
const DefaultMongoServiceName = "mongodb-atlas"

// Operations of authentication triggers (config.operation_type).
const (
	OperationCreate = "CREATE"
	OperationLogin  = "LOGIN"
	OperationDelete = "DELETE"
)

// Environment tags App Services knows; "" is the app without an environment.
var environmentTags = []string{"", "development", "testing", "qa", "production"}

// Function is one App Services function of the export.
type Function struct {
	// Name is the function's name as other settings and context.functions.execute name it; it may hold
	// "/" when the function lives in a folder ("auth/login" is functions/auth/login.js).
	Name string
	// File is the source file, relative to the export directory (functions/auth/login.js, with the
	// system's separator).
	File string
	// Code is the source: JavaScript that assigns the function to exports.
	Code string
	// Private functions may be called by other functions and by Lanyard, but not by clients.
	Private bool
}

// Environment is the app's environment and its values.
type Environment struct {
	// Tag is the environment field of realm_config.json or root_config.json: "", development, testing,
	// qa or production.
	Tag string
	// Values are the values of environments/<tag>.json (no-environment.json for ""); empty, never nil,
	// when the file is absent.
	Values map[string]any
}

// Trigger is one enabled AUTHENTICATION trigger.
type Trigger struct {
	Name string // name, else the file's name without .json
	File string // the trigger's file, relative to the export directory
	// Function is the function the trigger runs, with the authentication event as its argument.
	Function string
	// Operation is CREATE, LOGIN or DELETE.
	Operation string
	// Providers are the provider types whose events fire the trigger.
	Providers []string
}

// CustomFunction is the custom-function provider's configuration.
type CustomFunction struct {
	// FunctionName is config.authFunctionName: the function that receives the login payload and returns
	// the identity's id.
	FunctionName string
}

// functionEntry is one entry of functions/config.json.
type functionEntry struct {
	Name        string `json:"name"`
	Private     bool   `json:"private"`
	RunAsSystem bool   `json:"run_as_system"`
}

// validFunctionName accepts the names App Services gives functions: path segments without "." or ".."
// segments or backslashes, so that the source file stays inside functions/.
func validFunctionName(name string) bool {
	if name == "" || strings.ContainsAny(name, "\\\x00") {
		return false
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// loadFunctions reads functions/config.json and every function's source. App Services adds a source
// file missing from the manifest with the default settings when it imports an app, so such files are
// functions too.
func (l *loader) loadFunctions(app *App) {
	if st, err := os.Stat(l.path(DirNodeModules)); err == nil && st.IsDir() {
		app.NodeModules = l.path(DirNodeModules)
	}
	var entries []functionEntry
	l.readJSON(FileFunctionsConfig, &entries)
	seen := map[string]bool{}
	for i, e := range entries {
		key := fmt.Sprintf("[%d].name", i)
		switch {
		case !validFunctionName(e.Name):
			l.fail(FileFunctionsConfig, key, "%q is not a function name (path segments separated by /, without . or ..)", e.Name)
			continue
		case seen[e.Name]:
			l.fail(FileFunctionsConfig, key, "function %q is listed twice", e.Name)
			continue
		}
		seen[e.Name] = true
		rel := DirFunctions + "/" + e.Name + ".js"
		// Declared even if its source cannot be read, so that the settings naming it are not reported
		// as well: the missing file is the one problem.
		l.declared[e.Name] = true
		code, err := os.ReadFile(l.path(rel))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				l.fail(rel, "", "not found: %s lists function %q, whose source this file must hold", FileFunctionsConfig, e.Name)
			} else {
				l.fail(rel, "", "%v", err)
			}
			continue
		}
		app.Functions = append(app.Functions, Function{Name: e.Name, File: filepath.FromSlash(rel), Code: string(code), Private: e.Private})
	}
	for _, rel := range l.unlistedSources(seen) {
		code, err := os.ReadFile(l.path(rel))
		if err != nil {
			l.fail(rel, "", "%v", err)
			continue
		}
		name := strings.TrimSuffix(strings.TrimPrefix(rel, DirFunctions+"/"), ".js")
		app.Functions = append(app.Functions, Function{Name: name, File: filepath.FromSlash(rel), Code: string(code)})
	}
}

// unlistedSources returns the .js files under functions/ (outside node_modules) that the manifest does
// not list, in path order. A folder holding its own config.json is the realm-cli v1 layout
// (functions/<name>/config.json and source.js), which is refused like the rest of a v1 export.
func (l *loader) unlistedSources(listed map[string]bool) []string {
	root := l.path(DirFunctions)
	var found []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == root {
				return fs.SkipAll
			}
			return err
		}
		rel, _ := filepath.Rel(l.dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == DirNodeModules {
				return fs.SkipDir
			}
			if p != root && l.exists(rel+"/config.json") {
				l.fail(rel+"/config.json", "", "a function in a folder of its own (config.json and source.js) is the realm-cli v1 layout, which Lanyard does not read: export the app again with the App Services CLI (appservices pull) or the App Services UI")
				return fs.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".js") {
			return nil
		}
		if name := strings.TrimSuffix(strings.TrimPrefix(rel, DirFunctions+"/"), ".js"); !listed[name] {
			found = append(found, rel)
		}
		return nil
	})
	if err != nil {
		l.fail(DirFunctions, "", "%v", err)
	}
	return found
}

// valueFile is one file of values/.
type valueFile struct {
	Name       string          `json:"name"`
	Value      json.RawMessage `json:"value"`
	FromSecret bool            `json:"from_secret"`
}

// jsonFiles lists the .json files directly in dir, in name order.
func (l *loader) jsonFiles(dir string) []string {
	entries, err := os.ReadDir(l.path(dir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		l.fail(dir, "", "%v", err)
		return nil
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			files = append(files, dir+"/"+e.Name())
		}
	}
	return files
}

// loadValues reads values/*.json. A value from a secret takes the secret's value, resolved like every
// other secret.
func (l *loader) loadValues(app *App) {
	app.Values = map[string]any{}
	where := map[string]string{} // value name -> its file
	for _, rel := range l.jsonFiles(DirValues) {
		var f valueFile
		if !l.readJSON(rel, &f) {
			continue
		}
		name := f.Name
		if name == "" {
			name = strings.TrimSuffix(path.Base(rel), ".json")
		}
		if prev, dup := where[name]; dup {
			l.fail(rel, "name", "value %q is defined in %s too", name, prev)
			continue
		}
		where[name] = rel
		if f.FromSecret {
			var secret string
			if err := json.Unmarshal(f.Value, &secret); err != nil {
				l.fail(rel, "value", "must be the name of a secret (a string) when from_secret is true")
				continue
			}
			if v, ok := l.secret(rel, "value", secret); ok {
				app.Values[name] = v
			}
			continue
		}
		var v any
		if len(f.Value) > 0 {
			if err := json.Unmarshal(f.Value, &v); err != nil {
				l.fail(rel, "value", "%v", err)
				continue
			}
		}
		app.Values[name] = v
	}
}

// loadEnvironment reads the values of the app's environment: environments/<tag>.json, or
// environments/no-environment.json for the app without one.
func (l *loader) loadEnvironment(app *App, tag, tagFile string) {
	app.Environment = Environment{Tag: tag, Values: map[string]any{}}
	if !slices.Contains(environmentTags, tag) {
		l.fail(tagFile, "environment", "%q is not an App Services environment (\"\", development, testing, qa or production)", tag)
		return
	}
	file := tag
	if file == "" {
		file = "no-environment"
	}
	var f struct {
		Values map[string]any `json:"values"`
	}
	rel := DirEnvironments + "/" + file + ".json"
	if l.readJSON(rel, &f) && f.Values != nil {
		app.Environment.Values = f.Values
	}
}

// dataSourceFile is data_sources/<name>/config.json.
type dataSourceFile struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// loadDataSources finds the export's MongoDB data source: functions reach it as
// context.services.get(name). Lanyard serves one MongoDB, so several are told apart only by the custom
// user data's mongo_service_name.
func (l *loader) loadDataSources(app *App) {
	entries, err := os.ReadDir(l.path(DirDataSources))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		l.fail(DirDataSources, "", "%v", err)
	}
	var names, files []string
	for _, e := range entries {
		rel := DirDataSources + "/" + e.Name() + "/config.json"
		if !e.IsDir() || !l.exists(rel) {
			continue
		}
		var f dataSourceFile
		if !l.readJSON(rel, &f) || f.Type != "mongodb-atlas" {
			continue
		}
		if f.Name == "" {
			f.Name = e.Name()
		}
		names = append(names, f.Name)
		files = append(files, rel)
	}
	cud := app.CustomUserData
	switch {
	case len(names) == 0:
		app.MongoServiceName = DefaultMongoServiceName
		return
	case len(names) == 1:
		app.MongoServiceName = names[0]
	case cud != nil && cud.Enabled && slices.Contains(names, cud.ServiceName):
		app.MongoServiceName = cud.ServiceName
	default:
		l.fail(files[1], "name", "the export has several MongoDB data sources (%s) and Lanyard serves one: remove the others, or name the one to serve in %s mongo_service_name", strings.Join(names, ", "), FileCustomUserData)
		return
	}
	if cud != nil && cud.Enabled && cud.ServiceName != "" && !slices.Contains(names, cud.ServiceName) {
		l.fail(FileCustomUserData, "mongo_service_name", "%q is not a MongoDB data source of the export (%s)", cud.ServiceName, strings.Join(names, ", "))
	}
}

// triggerFile is one file of triggers/.
type triggerFile struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Disabled bool   `json:"disabled"`
	Config   struct {
		OperationType string   `json:"operation_type"`
		Providers     []string `json:"providers"`
	} `json:"config"`
	FunctionName    string                     `json:"function_name"`
	EventProcessors map[string]json.RawMessage `json:"event_processors"`
}

// loadTriggers reads triggers/*.json. Lanyard fires authentication events only, so it runs only
// AUTHENTICATION triggers that run a function; any other enabled trigger is refused.
func (l *loader) loadTriggers(app *App) {
	for _, rel := range l.jsonFiles(DirTriggers) {
		var f triggerFile
		if !l.readJSON(rel, &f) || f.Disabled {
			continue
		}
		if f.Type != "AUTHENTICATION" {
			l.fail(rel, "type", "%q: Lanyard runs only AUTHENTICATION triggers (it sees no database changes and keeps no schedule): disable this trigger (\"disabled\": true) or remove it", f.Type)
			continue
		}
		t := Trigger{Name: f.Name, File: filepath.FromSlash(rel), Function: f.FunctionName, Operation: f.Config.OperationType, Providers: f.Config.Providers}
		if t.Name == "" {
			t.Name = strings.TrimSuffix(path.Base(rel), ".json")
		}
		ok := true
		for _, kind := range slices.Sorted(maps.Keys(f.EventProcessors)) {
			if kind != "FUNCTION" {
				l.fail(rel, "event_processors."+kind, "Lanyard runs only triggers that call a function, not %s: have the trigger run a function instead", kind)
				ok = false
				continue
			}
			var fp struct {
				Config struct {
					FunctionName string `json:"function_name"`
				} `json:"config"`
			}
			if err := json.Unmarshal(f.EventProcessors[kind], &fp); err != nil {
				l.fail(rel, "event_processors.FUNCTION", "not an event processor: %v", err)
				ok = false
				continue
			}
			// App Services keeps the function's name in both places; either may be the one given.
			switch name := fp.Config.FunctionName; {
			case name == "":
			case t.Function == "":
				t.Function = name
			case t.Function != name:
				l.fail(rel, "event_processors.FUNCTION.config.function_name", "is %q, but function_name is %q", name, t.Function)
				ok = false
			}
		}
		if t.Function == "" && ok {
			l.fail(rel, "function_name", "must name the function the trigger runs")
			ok = false
		}
		switch t.Operation {
		case OperationCreate, OperationLogin, OperationDelete:
		default:
			l.fail(rel, "config.operation_type", "%q is not CREATE, LOGIN or DELETE", t.Operation)
			ok = false
		}
		if len(t.Providers) == 0 || slices.Contains(t.Providers, "") {
			l.fail(rel, "config.providers", "must list the provider types whose events fire the trigger")
			ok = false
		}
		if ok {
			l.refs = append(l.refs, functionRef{rel, "function_name", t.Function})
			app.Triggers = append(app.Triggers, t)
		}
	}
}

// functionRef is a setting that names a function.
type functionRef struct {
	file, key, name string
}

// checkFunctionRefs reports every setting that names a function the export does not have.
func (l *loader) checkFunctionRefs(app *App) {
	for _, f := range app.Functions {
		l.declared[f.Name] = true
	}
	for _, r := range l.refs {
		if !l.declared[r.name] {
			l.fail(r.file, r.key, "names function %q, which the export does not have (%s, %s/<name>.js)", r.name, FileFunctionsConfig, DirFunctions)
		}
	}
}
