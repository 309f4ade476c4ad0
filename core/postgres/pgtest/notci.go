//go:build !ci

package pgtest

const builtForCI = false
