package embedded

// EnsureGINIndexes lets the tests run a pass of the index keeper at once.
var EnsureGINIndexes = ensureGINIndexes
