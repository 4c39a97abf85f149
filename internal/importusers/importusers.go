// Package importusers is `lanyard import users`: the users of an Atlas App Services app, as its Admin
// API lists them, written into a Lanyard store.
package importusers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/lanyardhq/lanyard/authn"
	"github.com/lanyardhq/lanyard/store"
)

// Report says what `lanyard import users` did. Importing the same file again creates nothing:
// every user and identity it finds already in place is counted as skipped.
type Report struct {
	Users             int // user entries read from the file
	UsersCreated      int
	UsersSkipped      int // a user with that id exists already (it is left as it is)
	IdentitiesAdded   int // identities created, the first one of each new user included
	IdentitiesSkipped int // identities already present on the same user
	PasswordsCreated  int // email/password records created without a password: these users set one with the reset flow
	PasswordsSkipped  int // email/password records already present for the same user
	// Problems are the users and identities that were not imported, one line each with the reason.
	Problems []string
}

// Summary is the report as a few lines for a terminal.
func (r Report) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "users:      %d read, %d created, %d already present\n", r.Users, r.UsersCreated, r.UsersSkipped)
	fmt.Fprintf(&b, "identities: %d added, %d already present\n", r.IdentitiesAdded, r.IdentitiesSkipped)
	fmt.Fprintf(&b, "passwords:  %d email/password users must set a password with the reset flow (%d already imported)\n", r.PasswordsCreated, r.PasswordsSkipped)
	if len(r.Problems) > 0 {
		fmt.Fprintf(&b, "not imported (%d):\n", len(r.Problems))
		for _, p := range r.Problems {
			fmt.Fprintf(&b, "  - %s\n", p)
		}
	}
	return b.String()
}

// Import imports the users of an Atlas App Services app, as its Admin API lists them (GET
// /groups/{groupId}/apps/{appId}/users), into the store cfg names. It opens the store as the server
// does (with the embedded engine, the data dir must not be in use by a running server) and closes it
// before returning.
//
// The file holds a JSON array of users, or several arrays (the Admin API's pages, concatenated), or
// users one JSON object after another. Each user keeps its id (so custom data keyed by the old id stays
// linked), type, creation and last login times, disabled flag, metadata (data) and identities:
//
//   - custom-token, oauth2-google, oauth2-facebook, anon-user and api-key identities keep their
//     subject (the identity's `id`; App Services' `provider_id` is the id of its provider
//     configuration and is not used), so the same JWT sub, Google or Facebook account logs in to the
//     same user. API key secrets cannot be exported: api-key identities are kept for the record, and
//     their users log in again only with new keys. Anonymous identities cannot log in again either
//     (anonymous sessions do not move); their users keep their ids and data.
//   - local-userpass identities are keyed by their email (provider_data.email, else the user's
//     data.email), and get an email/password record without a password: App Services cannot export
//     password hashes, so these users cannot log in until they set a password with the reset flow
//     (SendPasswordReset, ResetPassword).
//   - identities of other providers (custom-function, oauth2-apple, ...) are not imported and are
//     listed in Problems; a user none of whose identities can be imported is not imported. (To keep
//     custom-function users, issue custom JWTs whose sub is the function's id and change those
//     identities' provider_type to custom-token in the file.)
//
// Nothing that exists is changed: a user whose id exists is skipped (its missing identities are still
// added), an identity that belongs to another user is reported, not moved. Importing is therefore
// idempotent and can be resumed after an interruption. It runs no user creation hook and records no
// CREATE events: these users existed already. A malformed file is refused before anything is written.
func Import(ctx context.Context, open Opener, log *slog.Logger, file string) (Report, error) {
	users, err := readAppServicesUsers(file)
	if err != nil {
		return Report{}, err
	}
	st, closeStore, err := open(ctx)
	if err != nil {
		return Report{}, err
	}
	defer closeStore()
	rep, err := importUsers(ctx, st, users, time.Now())
	log.Info("imported App Services users", "file", file, "users", rep.Users, "created", rep.UsersCreated, "skipped", rep.UsersSkipped,
		"identities_added", rep.IdentitiesAdded, "passwords_to_reset", rep.PasswordsCreated, "problems", len(rep.Problems))
	return rep, err
}

// Opener opens the store the users go into, with its migrations run, and returns its release. It is
// called once the file is read and checked, so that a malformed file opens nothing.
type Opener func(ctx context.Context) (store.Store, func(), error)

// asUser is a user of the App Services Admin API.
type asUser struct {
	ID                     json.RawMessage `json:"_id"` // a hex string, or {"$oid": ...}
	Type                   string          `json:"type"`
	CreationDate           json.RawMessage `json:"creation_date"`            // Unix seconds
	LastAuthenticationDate json.RawMessage `json:"last_authentication_date"` // Unix seconds
	Disabled               bool            `json:"disabled"`
	Data                   map[string]any  `json:"data"`
	Identities             []asIdentity    `json:"identities"`
}

// asIdentity is one identity of an Admin API user.
type asIdentity struct {
	ID           string         `json:"id"`            // the provider's subject
	ProviderType string         `json:"provider_type"` // App Services provider type
	ProviderID   string         `json:"provider_id"`   // the id of the provider's configuration: not used
	ProviderData map[string]any `json:"provider_data"`
}

// importedUser is a user of the file, checked and converted.
type importedUser struct {
	id         string
	typ        string
	disabled   bool
	created    time.Time
	lastLogin  time.Time
	data       map[string]any
	identities []asIdentity
	where      string // its position in the file, for messages
}

// readAppServicesUsers reads and checks the whole file. Any malformed entry refuses the file.
func readAppServicesUsers(file string) ([]importedUser, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("import: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out []importedUser
	var errs []error
	n := 0
	for {
		var v json.RawMessage
		if err := dec.Decode(&v); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("import: %s: not valid JSON: %v", file, err)
		}
		var batch []json.RawMessage
		if t := bytes.TrimSpace(v); len(t) > 0 && t[0] == '[' {
			if err := json.Unmarshal(v, &batch); err != nil {
				return nil, fmt.Errorf("import: %s: %v", file, err)
			}
		} else {
			batch = []json.RawMessage{v}
		}
		for _, el := range batch {
			n++
			u, err := convertUser(el, fmt.Sprintf("user #%d", n))
			if err != nil {
				errs = append(errs, err)
				continue
			}
			out = append(out, u)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("import: %s: %w", file, errors.Join(errs...))
	}
	if n == 0 {
		return nil, fmt.Errorf("import: %s holds no users", file)
	}
	return out, nil
}

func convertUser(raw json.RawMessage, where string) (importedUser, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var u asUser
	if err := dec.Decode(&u); err != nil {
		return importedUser{}, fmt.Errorf("%s: not an App Services user: %v", where, err)
	}
	id, err := oidString(u.ID)
	if err != nil {
		return importedUser{}, fmt.Errorf("%s: _id: %v", where, err)
	}
	where = fmt.Sprintf("user %s", id)
	out := importedUser{id: id, typ: u.Type, disabled: u.Disabled, data: plainMap(u.Data), identities: u.Identities, where: where}
	switch out.typ {
	case "":
		out.typ = store.UserTypeNormal
	case store.UserTypeNormal, store.UserTypeServer:
	default:
		return importedUser{}, fmt.Errorf("%s: type %q is neither normal nor server", where, u.Type)
	}
	if out.created, err = unixTime(u.CreationDate); err != nil {
		return importedUser{}, fmt.Errorf("%s: creation_date: %v", where, err)
	}
	if out.lastLogin, err = unixTime(u.LastAuthenticationDate); err != nil {
		return importedUser{}, fmt.Errorf("%s: last_authentication_date: %v", where, err)
	}
	for i := range out.identities {
		out.identities[i].ProviderData = plainMap(out.identities[i].ProviderData)
	}
	return out, nil
}

// oidString reads an id given as a hex string or as {"$oid": "..."}.
func oidString(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		var w struct {
			OID string `json:"$oid"`
		}
		if err := json.Unmarshal(raw, &w); err != nil || w.OID == "" {
			return "", errors.New("must be an ObjectId as a hex string or {\"$oid\": ...}")
		}
		s = w.OID
	}
	s = strings.ToLower(s)
	if !store.ValidID(s) {
		return "", fmt.Errorf("%q is not a 24-hex-digit ObjectId", s)
	}
	return s, nil
}

// unixTime reads a time given as Unix seconds (a number, a string of digits, or Extended JSON
// {"$numberInt"|"$numberLong"|"$numberDouble": ...}), milliseconds when it is too large to be seconds,
// an RFC 3339 string, or {"$date": ...}. An absent value is the zero time.
func unixTime(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return time.Time{}, err
	}
	fromNumber := func(s string) (time.Time, error) {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			return time.Time{}, fmt.Errorf("%q is not a time", s)
		}
		if f > 1e11 { // later than the year 5138 in seconds: milliseconds
			return time.UnixMilli(int64(f)).UTC(), nil
		}
		return time.Unix(int64(f), 0).UTC(), nil
	}
	switch x := v.(type) {
	case json.Number:
		return fromNumber(x.String())
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return t.UTC(), nil
		}
		return fromNumber(x)
	case map[string]any:
		for _, k := range []string{"$numberInt", "$numberLong", "$numberDouble"} {
			if s, ok := x[k].(string); ok {
				return fromNumber(s)
			}
		}
		if d, ok := x["$date"]; ok {
			switch d := d.(type) {
			case string:
				if t, err := time.Parse(time.RFC3339Nano, d); err == nil {
					return t.UTC(), nil
				}
			case json.Number:
				ms, err := d.Int64()
				if err == nil {
					return time.UnixMilli(ms).UTC(), nil
				}
			case map[string]any:
				if s, ok := d["$numberLong"].(string); ok {
					if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
						return time.UnixMilli(ms).UTC(), nil
					}
				}
			}
		}
	}
	return time.Time{}, fmt.Errorf("%s is not a time", raw)
}

// plainMap turns decoded JSON numbers into the store's number types (int32 when the value fits, else
// int64, else float64), recursively; nil becomes an empty map.
func plainMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = plainValue(v)
	}
	return out
}

func plainValue(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			if i >= math.MinInt32 && i <= math.MaxInt32 {
				return int32(i)
			}
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		return plainMap(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plainValue(e)
		}
		return out
	}
	return v
}

// importIdentity is an identity converted to Lanyard's terms.
type importIdentity struct {
	ident *store.Identity
	email string // local-userpass only
}

// importer runs one import against a store.
type importer struct {
	st  store.Store
	rep Report
}

func (im *importer) problem(format string, a ...any) {
	im.rep.Problems = append(im.rep.Problems, fmt.Sprintf(format, a...))
}

func importUsers(ctx context.Context, st store.Store, users []importedUser, now time.Time) (Report, error) {
	im := &importer{st: st}
	im.rep.Users = len(users)
	for _, u := range users {
		if err := im.user(ctx, u, now); err != nil {
			return im.rep, fmt.Errorf("import: %s: %w", u.where, err)
		}
	}
	return im.rep, nil
}

// identities converts the user's identities; those Lanyard cannot take are reported.
func (im *importer) identities(u importedUser, created, lastLogin time.Time) []importIdentity {
	var out []importIdentity
	for i, a := range u.identities {
		what := fmt.Sprintf("%s: identity #%d (%s)", u.where, i+1, a.ProviderType)
		id := &store.Identity{ID: store.NewID(), UserID: u.id, ProviderType: a.ProviderType, ProviderID: a.ID,
			Data: a.ProviderData, CreatedAt: created, LastLoginAt: lastLogin}
		var email string
		switch a.ProviderType {
		case authn.ProviderCustomToken, authn.ProviderGoogle, authn.ProviderFacebook, authn.ProviderAnonymous, authn.ProviderAPIKey:
			if a.ID == "" {
				im.problem("%s: has no id", what)
				continue
			}
		case authn.ProviderUserPass:
			email, _ = a.ProviderData["email"].(string)
			if email == "" {
				email, _ = u.data["email"].(string)
			}
			email = authn.NormalizeEmail(email)
			if authn.CheckEmail(email) != nil {
				im.problem("%s: no valid email in provider_data.email or data.email", what)
				continue
			}
			id.ProviderID = email
		default:
			im.problem("%s: Lanyard has no %q provider", what, a.ProviderType)
			continue
		}
		out = append(out, importIdentity{ident: id, email: email})
	}
	return out
}

func (im *importer) user(ctx context.Context, u importedUser, now time.Time) error {
	created, lastLogin := u.created, u.lastLogin
	if created.IsZero() {
		created = now
	}
	if lastLogin.IsZero() {
		lastLogin = created
	}
	idents := im.identities(u, created, lastLogin)
	done := make([]bool, len(idents)) // handled: added, skipped or reported
	ours := make([]bool, len(idents)) // the identity is this user's (added now or before)

	_, err := im.st.GetUser(ctx, u.id)
	exists := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if exists {
		im.rep.UsersSkipped++
	} else {
		if len(idents) == 0 {
			im.problem("%s: not imported: none of its identities can log in to Lanyard", u.where)
			return nil
		}
		user := &store.User{ID: u.id, Type: u.typ, Disabled: u.disabled, CreatedAt: created, LastLoginAt: lastLogin, Data: u.data}
		createdNow := false
		for i, c := range idents {
			taken, err := im.owner(ctx, c.ident)
			if err != nil {
				return err
			}
			if taken != "" {
				continue // tried as an added identity below, which reports it
			}
			err = im.st.CreateUser(ctx, user, c.ident)
			if err == nil {
				createdNow = true
				done[i], ours[i] = true, true
				im.rep.UsersCreated++
				im.rep.IdentitiesAdded++
				break
			}
			if !errors.Is(err, store.ErrAlreadyExists) {
				return err
			}
			// Raced: either the identity or the user id was taken meanwhile.
			if _, gerr := im.st.GetUser(ctx, u.id); gerr == nil {
				exists = true
				im.rep.UsersSkipped++
				break
			}
		}
		if !createdNow && !exists {
			for _, c := range idents {
				owner, _ := im.owner(ctx, c.ident)
				im.problem("%s: not imported: its %s identity %q belongs to user %s", u.where, c.ident.ProviderType, c.ident.ProviderID, owner)
			}
			return nil
		}
	}
	for i, c := range idents {
		if done[i] {
			continue
		}
		mine, err := im.addIdentity(ctx, u, c.ident)
		if err != nil {
			return err
		}
		ours[i] = mine
	}
	for i, c := range idents {
		if ours[i] && c.email != "" {
			if err := im.password(ctx, u, c.email, created); err != nil {
				return err
			}
		}
	}
	return nil
}

// owner returns the id of the user who has the identity, or "" when nobody has it.
func (im *importer) owner(ctx context.Context, id *store.Identity) (string, error) {
	found, err := im.st.FindIdentity(ctx, id.ProviderType, id.ProviderID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return found.UserID, nil
}

// addIdentity adds one identity to an existing user; it reports whether the identity is now the user's.
func (im *importer) addIdentity(ctx context.Context, u importedUser, id *store.Identity) (bool, error) {
	for attempt := 0; attempt < 2; attempt++ {
		owner, err := im.owner(ctx, id)
		if err != nil {
			return false, err
		}
		switch owner {
		case u.id:
			im.rep.IdentitiesSkipped++
			return true, nil
		case "":
		default:
			im.problem("%s: %s identity %q not imported: it belongs to user %s", u.where, id.ProviderType, id.ProviderID, owner)
			return false, nil
		}
		err = im.st.AddIdentity(ctx, id)
		switch {
		case err == nil:
			im.rep.IdentitiesAdded++
			return true, nil
		case errors.Is(err, store.ErrNotFound):
			im.problem("%s: %s identity %q not imported: the user was deleted meanwhile", u.where, id.ProviderType, id.ProviderID)
			return false, nil
		case !errors.Is(err, store.ErrAlreadyExists):
			return false, err
		}
		// Claimed meanwhile: look again at who has it.
	}
	im.problem("%s: %s identity %q not imported: it is being claimed concurrently", u.where, id.ProviderType, id.ProviderID)
	return false, nil
}

// password gives an imported email/password identity its record: confirmed, for the user, without a
// password, so that only the reset flow lets the user in.
func (im *importer) password(ctx context.Context, u importedUser, email string, created time.Time) error {
	rec, err := im.st.GetPassword(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		err = im.st.CreatePassword(ctx, &store.Password{Email: email, UserID: u.id, Hash: "", Confirmed: true, CreatedAt: created})
		if err == nil {
			im.rep.PasswordsCreated++
			return nil
		}
		if !errors.Is(err, store.ErrAlreadyExists) {
			return err
		}
		if rec, err = im.st.GetPassword(ctx, email); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	if rec.UserID == u.id {
		im.rep.PasswordsSkipped++
		return nil
	}
	if rec.UserID == "" {
		im.problem("%s: email %q has a pending registration on this server; its password record was not imported", u.where, email)
		return nil
	}
	im.problem("%s: email %q is registered to user %s on this server; its password record was not imported", u.where, email, rec.UserID)
	return nil
}
