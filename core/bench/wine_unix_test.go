//go:build unix

package bench

func underWine() bool { return false }
