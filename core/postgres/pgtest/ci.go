//go:build ci

package pgtest

// builtForCI: the README's test command (-tags ci) installs PostgreSQL, so
// without it the tests fail rather than skip.
const builtForCI = true
