package appconfig_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/lanyardhq/lanyard/appconfig"
)

// writeExport writes an export with functions, values, environments, a data source and triggers, as
// `appservices pull` lays them out, into a fresh directory.
func writeExport(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for rel, content := range map[string]string{
		"realm_config.json": `{"app_id": "shop-abcde", "config_version": 20210101, "name": "shop",
			"environment": "production", "allowed_request_origins": ["https://shop.example"]}`,
		"auth/providers.json": `{
			"anon-user": {"name": "anon-user", "type": "anon-user", "disabled": false},
			"custom-function": {"name": "custom-function", "type": "custom-function", "disabled": false,
				"config": {"authFunctionName": "auth/login"}},
			"local-userpass": {"name": "local-userpass", "type": "local-userpass", "disabled": false,
				"config": {"autoConfirm": false, "runConfirmationFunction": true, "confirmationFunctionName": "confirmUser",
					"runResetFunction": true, "resetFunctionName": "resetPassword", "resetPasswordUrl": "https://shop.example/reset"}}
		}`,
		"auth/custom_user_data.json": `{"enabled": true, "mongo_service_name": "mongodb-atlas", "database_name": "shop",
			"collection_name": "users", "user_id_field": "user_id", "on_user_creation_function_name": "onUserCreation"}`,
		"data_sources/mongodb-atlas/config.json": `{"name": "mongodb-atlas", "type": "mongodb-atlas",
			"config": {"clusterName": "Cluster0", "readPreference": "primary", "wireProtocolEnabled": false}, "version": 1}`,
		"functions/config.json": `[
			{"name": "auth/login", "private": true, "run_as_system": true},
			{"name": "confirmUser", "private": true},
			{"name": "resetPassword", "private": true},
			{"name": "onUserCreation", "private": true, "run_as_system": true},
			{"name": "logLogin", "private": false, "disable_arg_logs": true}
		]`,
		"functions/auth/login.js":          "exports = async function(payload) { return payload.username; };\n",
		"functions/confirmUser.js":         "exports = ({ token, tokenId, username }) => ({ status: 'success' });\n",
		"functions/resetPassword.js":       "exports = ({ token, tokenId, username, password }) => ({ status: 'fail' });\n",
		"functions/onUserCreation.js":      "exports = async function(user) { return true; };\n",
		"functions/logLogin.js":            "exports = function(authEvent) { console.log(authEvent.user.id); };\n",
		"functions/helpers/format.js":      "exports = (s) => s.trim();\n",
		"functions/node_modules/x.js":      "module.exports = 1;\n",
		"functions/package.json":           `{"dependencies": {}}`,
		"values/apiBase.json":              `{"id": "64f0", "name": "apiBase", "from_secret": false, "value": {"url": "https://api.example", "retries": 3}}`,
		"values/apiKey.json":               `{"name": "apiKey", "from_secret": true, "value": "shopApiKey"}`,
		"environments/no-environment.json": `{"values": {"stage": "none"}}`,
		"environments/production.json":     `{"values": {"stage": "prod", "limits": [1, 2]}}`,
		"triggers/onLogin.json": `{"name": "onLogin", "type": "AUTHENTICATION", "disabled": false,
			"config": {"operation_type": "LOGIN", "providers": ["anon-user", "custom-function"]},
			"function_name": "logLogin"}`,
		"triggers/onCreate.json": `{"name": "onCreate", "type": "AUTHENTICATION",
			"config": {"operation_type": "CREATE", "providers": ["local-userpass"]},
			"event_processors": {"FUNCTION": {"config": {"function_name": "onUserCreation"}}}}`,
		"triggers/nightly.json": `{"name": "nightly", "type": "SCHEDULED", "disabled": true,
			"config": {"schedule": "0 3 * * *"}, "function_name": "missing"}`,
	} {
		writeFile(t, dir, rel, content)
	}
	return dir
}

func shopSecrets(name string) (string, bool) {
	if name == "shopApiKey" {
		return "key-0123", true
	}
	return "", false
}

func TestLoadFunctionsAndTheirSettings(t *testing.T) {
	dir := writeExport(t)
	app, err := appconfig.Load(dir, shopSecrets)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range app.Functions {
		names = append(names, f.Name)
	}
	// The manifest's order first, then the source file it does not list; node_modules is not code of
	// the app.
	if want := []string{"auth/login", "confirmUser", "resetPassword", "onUserCreation", "logLogin", "helpers/format"}; !slices.Equal(names, want) {
		t.Fatalf("functions %q, want %q", names, want)
	}
	login := app.Functions[0]
	if login.File != filepath.Join("functions", "auth", "login.js") || !login.Private ||
		login.Code != "exports = async function(payload) { return payload.username; };\n" {
		t.Errorf("folder-named function %+v", login)
	}
	if f := app.Functions[4]; f.Private || f.File != filepath.Join("functions", "logLogin.js") {
		t.Errorf("public function %+v", f)
	}
	if f := app.Functions[5]; f.Private || f.Code != "exports = (s) => s.trim();\n" {
		t.Errorf("unlisted function %+v", f)
	}
	if app.NodeModules != filepath.Join(dir, "functions", "node_modules") {
		t.Errorf("node modules %q", app.NodeModules)
	}

	if !slices.Equal(app.Providers, []string{"anon-user", "local-userpass", "custom-function"}) {
		t.Errorf("providers %v", app.Providers)
	}
	if app.CustomFunction == nil || app.CustomFunction.FunctionName != "auth/login" {
		t.Errorf("custom function %+v", app.CustomFunction)
	}
	if up := app.UserPass; up == nil || up.AutoConfirm || up.ConfirmationFunction != "confirmUser" || up.ResetFunction != "resetPassword" {
		t.Errorf("userpass %+v", app.UserPass)
	}
	if app.CustomUserData.OnUserCreationFunction != "onUserCreation" {
		t.Errorf("custom user data %+v", app.CustomUserData)
	}

	wantValues := map[string]any{"apiBase": map[string]any{"url": "https://api.example", "retries": float64(3)}, "apiKey": "key-0123"}
	if !reflect.DeepEqual(app.Values, wantValues) {
		t.Errorf("values %#v", app.Values)
	}
	wantEnv := appconfig.Environment{Tag: "production", Values: map[string]any{"stage": "prod", "limits": []any{float64(1), float64(2)}}}
	if !reflect.DeepEqual(app.Environment, wantEnv) {
		t.Errorf("environment %#v", app.Environment)
	}
	if app.MongoServiceName != "mongodb-atlas" {
		t.Errorf("mongo service %q", app.MongoServiceName)
	}

	// In file name order; the disabled SCHEDULED trigger is ignored, not refused.
	wantTriggers := []appconfig.Trigger{
		{Name: "onCreate", File: filepath.Join("triggers", "onCreate.json"), Function: "onUserCreation", Operation: "CREATE", Providers: []string{"local-userpass"}},
		{Name: "onLogin", File: filepath.Join("triggers", "onLogin.json"), Function: "logLogin", Operation: "LOGIN", Providers: []string{"anon-user", "custom-function"}},
	}
	if !reflect.DeepEqual(app.Triggers, wantTriggers) {
		t.Errorf("triggers %+v", app.Triggers)
	}
}

func TestEnvironmentSelection(t *testing.T) {
	t.Run("no environment", func(t *testing.T) {
		dir := writeExport(t)
		editJSON(t, dir, "realm_config.json", func(m map[string]any) { m["environment"] = "" })
		app, err := appconfig.Load(dir, shopSecrets)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(app.Environment, appconfig.Environment{Tag: "", Values: map[string]any{"stage": "none"}}) {
			t.Errorf("environment %#v", app.Environment)
		}
	})
	t.Run("environment without a file", func(t *testing.T) {
		dir := writeExport(t)
		editJSON(t, dir, "realm_config.json", func(m map[string]any) { m["environment"] = "qa" })
		app, err := appconfig.Load(dir, shopSecrets)
		if err != nil {
			t.Fatal(err)
		}
		if app.Environment.Tag != "qa" || app.Environment.Values == nil || len(app.Environment.Values) != 0 {
			t.Errorf("environment %#v", app.Environment)
		}
	})
	t.Run("root_config.json", func(t *testing.T) {
		dir := writeExport(t)
		if err := os.Remove(filepath.Join(dir, "realm_config.json")); err != nil {
			t.Fatal(err)
		}
		writeFile(t, dir, "root_config.json", `{"name": "shop", "deployment_model": "GLOBAL", "environment": "development"}`)
		writeFile(t, dir, "environments/development.json", `{"values": {"stage": "dev"}}`)
		app, err := appconfig.Load(dir, shopSecrets)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(app.Environment, appconfig.Environment{Tag: "development", Values: map[string]any{"stage": "dev"}}) {
			t.Errorf("environment %#v", app.Environment)
		}
	})
}

func TestExportWithoutFunctions(t *testing.T) {
	app, err := appconfig.Load(sampleDir, sampleSecrets)
	if err != nil {
		t.Fatal(err)
	}
	if app.Functions != nil || app.NodeModules != "" || app.Triggers != nil || app.CustomFunction != nil {
		t.Errorf("functions %v, node modules %q, triggers %v, custom function %v", app.Functions, app.NodeModules, app.Triggers, app.CustomFunction)
	}
	if app.Values == nil || len(app.Values) != 0 || app.Environment.Values == nil || len(app.Environment.Values) != 0 {
		t.Errorf("values %#v, environment %#v", app.Values, app.Environment)
	}
	if app.MongoServiceName != "mongodb-atlas" || app.UserPass.ConfirmationFunction != "" || app.UserPass.ResetFunction != "" {
		t.Errorf("app %+v, userpass %+v", app, app.UserPass)
	}

	// Without any data source the service keeps App Services' default name.
	dir := copySample(t)
	if err := os.RemoveAll(filepath.Join(dir, "data_sources")); err != nil {
		t.Fatal(err)
	}
	if app, err = appconfig.Load(dir, sampleSecrets); err != nil || app.MongoServiceName != "mongodb-atlas" {
		t.Errorf("mongo service %q, %v", app.MongoServiceName, err)
	}
}

func TestDataSourceName(t *testing.T) {
	dir := writeExport(t)
	if err := os.Rename(filepath.Join(dir, "data_sources", "mongodb-atlas"), filepath.Join(dir, "data_sources", "cluster")); err != nil {
		t.Fatal(err)
	}
	editJSON(t, dir, "data_sources/cluster/config.json", func(m map[string]any) { m["name"] = "cluster" })
	editJSON(t, dir, "auth/custom_user_data.json", func(m map[string]any) { m["mongo_service_name"] = "cluster" })
	// Another kind of data source is no MongoDB service.
	writeFile(t, dir, "data_sources/lake/config.json", `{"name": "lake", "type": "datalake"}`)
	app, err := appconfig.Load(dir, shopSecrets)
	if err != nil {
		t.Fatal(err)
	}
	if app.MongoServiceName != "cluster" {
		t.Errorf("mongo service %q", app.MongoServiceName)
	}
}

// TestFunctionErrorsNameFileAndKey: what cannot be read or run is refused, naming the file and the key.
func TestFunctionErrorsNameFileAndKey(t *testing.T) {
	cases := []struct {
		name    string
		edit    func(t *testing.T, dir string)
		secrets func(string) (string, bool)
		file    string
		want    []string
	}{
		{"missing source", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, "functions", "auth", "login.js")); err != nil {
				t.Fatal(err)
			}
		}, shopSecrets, "functions/auth/login.js", []string{`not found: functions/config.json lists function "auth/login"`}},
		{"unknown function of a trigger", func(t *testing.T, dir string) {
			editJSON(t, dir, "triggers/onLogin.json", func(m map[string]any) { m["function_name"] = "nope" })
		}, shopSecrets, "triggers/onLogin.json", []string{`function_name: names function "nope", which the export does not have`}},
		{"unknown authentication function", func(t *testing.T, dir string) {
			editJSON(t, dir, "auth/providers.json", func(m map[string]any) { config(m, "custom-function")["authFunctionName"] = "auth/logon" })
		}, shopSecrets, "auth/providers.json", []string{`custom-function.config.authFunctionName: names function "auth/logon"`}},
		{"unknown reset function", func(t *testing.T, dir string) {
			editJSON(t, dir, "auth/providers.json", func(m map[string]any) { config(m, "local-userpass")["resetFunctionName"] = "reset" })
		}, shopSecrets, "auth/providers.json", []string{`local-userpass.config.resetFunctionName: names function "reset"`}},
		{"unknown user creation function", func(t *testing.T, dir string) {
			editJSON(t, dir, "auth/custom_user_data.json", func(m map[string]any) { m["on_user_creation_function_name"] = "onCreate" })
		}, shopSecrets, "auth/custom_user_data.json", []string{`on_user_creation_function_name: names function "onCreate"`}},
		{"database trigger", func(t *testing.T, dir string) {
			writeFile(t, dir, "triggers/onInsert.json", `{"name": "onInsert", "type": "DATABASE", "disabled": false,
				"config": {"operation_types": ["INSERT"], "database": "shop", "collection": "orders", "service_name": "mongodb-atlas"},
				"function_name": "logLogin"}`)
		}, shopSecrets, "triggers/onInsert.json", []string{`type: "DATABASE": Lanyard runs only AUTHENTICATION triggers`}},
		{"trigger to EventBridge", func(t *testing.T, dir string) {
			editJSON(t, dir, "triggers/onLogin.json", func(m map[string]any) {
				delete(m, "function_name")
				m["event_processors"] = map[string]any{"AWS_EVENTBRIDGE": map[string]any{"config": map[string]any{"account_id": "1", "region": "us-east-1"}}}
			})
		}, shopSecrets, "triggers/onLogin.json", []string{"event_processors.AWS_EVENTBRIDGE: Lanyard runs only triggers that call a function"}},
		{"trigger operation", func(t *testing.T, dir string) {
			editJSON(t, dir, "triggers/onLogin.json", func(m map[string]any) { m["config"].(map[string]any)["operation_type"] = "LOGOUT" })
		}, shopSecrets, "triggers/onLogin.json", []string{`config.operation_type: "LOGOUT" is not CREATE, LOGIN or DELETE`}},
		{"trigger function names disagree", func(t *testing.T, dir string) {
			editJSON(t, dir, "triggers/onCreate.json", func(m map[string]any) { m["function_name"] = "logLogin" })
		}, shopSecrets, "triggers/onCreate.json", []string{`event_processors.FUNCTION.config.function_name: is "onUserCreation", but function_name is "logLogin"`}},
		{"value from a missing secret", nil, noSecrets, "values/apiKey.json",
			[]string{`value: secret "shopApiKey" has no value: set LANYARD_SECRET_SHOPAPIKEY`}},
		{"unknown environment", func(t *testing.T, dir string) {
			editJSON(t, dir, "realm_config.json", func(m map[string]any) { m["environment"] = "staging" })
		}, shopSecrets, "realm_config.json", []string{`environment: "staging" is not an App Services environment`}},
		{"function name leaving functions/", func(t *testing.T, dir string) {
			writeFile(t, dir, "functions/config.json", `[{"name": "../secrets"}]`)
		}, shopSecrets, "functions/config.json", []string{`[0].name: "../secrets" is not a function name`}},
		{"realm-cli v1 function layout", func(t *testing.T, dir string) {
			writeFile(t, dir, "functions/sum/config.json", `{"name": "sum", "private": false}`)
			writeFile(t, dir, "functions/sum/source.js", "exports = (a, b) => a + b;\n")
		}, shopSecrets, "functions/sum/config.json", []string{"a function in a folder of its own (config.json and source.js) is the realm-cli v1 layout"}},
		{"custom data on another data source", func(t *testing.T, dir string) {
			editJSON(t, dir, "auth/custom_user_data.json", func(m map[string]any) { m["mongo_service_name"] = "cluster1" })
		}, shopSecrets, "auth/custom_user_data.json", []string{`mongo_service_name: "cluster1" is not a MongoDB data source of the export (mongodb-atlas)`}},
		{"two MongoDB data sources", func(t *testing.T, dir string) {
			writeFile(t, dir, "data_sources/analytics/config.json", `{"name": "analytics", "type": "mongodb-atlas"}`)
			editJSON(t, dir, "auth/custom_user_data.json", func(m map[string]any) { m["enabled"] = false })
		}, shopSecrets, "data_sources/mongodb-atlas/config.json", []string{"name: the export has several MongoDB data sources (analytics, mongodb-atlas)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeExport(t)
			if c.edit != nil {
				c.edit(t, dir)
			}
			app, err := appconfig.Load(dir, c.secrets)
			if app != nil {
				t.Error("an App came back with the error")
			}
			file := filepath.Join(dir, filepath.FromSlash(c.file))
			c.want[0] = file + ": " + c.want[0]
			wantErr(t, err, c.want...)
			var e *appconfig.Error
			if !errors.As(err, &e) || e.File != file {
				t.Errorf("not an *appconfig.Error for %s: %#v", c.file, err)
			}
		})
	}
}
