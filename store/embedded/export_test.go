package embedded

// EnsureGINIndexes lets the tests run a pass of the index keeper at once.
var EnsureGINIndexes = ensureGINIndexes

// EnsureSQLiteIDIndexes lets the tests run a pass of the SQLite index keeper at once.
var EnsureSQLiteIDIndexes = ensureSQLiteIDIndexes
