package rules

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Preset returns one of the built-in rule sets, keyed on the collection's user id field:
//
//   - "owner": a user reads, writes, inserts and deletes its own document (apply_when
//     {<userIDField>: "%%user.id"}) and nothing else.
//   - "system": a user reads its own document but cannot write, insert or delete it; only server
//     principals (who bypass rules) write.
func Preset(name string, userIDField string) (*Rules, error) {
	if userIDField == "" || strings.HasPrefix(userIDField, "$") || strings.HasPrefix(userIDField, "%") {
		return nil, fmt.Errorf("rules preset %q: %q is not a usable user id field", name, userIDField)
	}
	owner := map[string]any{userIDField: "%%user.id"}
	var roles []any
	switch name {
	case "owner":
		roles = []any{map[string]any{
			"name": "owner", "apply_when": owner,
			"read": true, "write": true, "insert": true, "delete": true, "search": false,
		}}
	case "system":
		roles = []any{map[string]any{
			"name": "owner-reads", "apply_when": owner,
			"read": true, "write": false, "insert": false, "delete": false, "search": false,
		}}
	default:
		return nil, fmt.Errorf("unknown rules preset %q (the presets are owner and system)", name)
	}
	raw, err := json.Marshal(map[string]any{"roles": roles})
	if err != nil {
		return nil, err
	}
	return parse(raw, fmt.Sprintf("rules preset %q", name))
}
