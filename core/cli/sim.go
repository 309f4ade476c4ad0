package cli

import (
	"strings"

	"s360gate/core/s360sim"
)

// sim runs the standalone simulator (core/s360sim). The options every
// command accepts are accepted here too and dropped: the simulator keeps no
// data directory.
func (r *runner) sim(args []string) int {
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, _, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch {
		case !strings.HasPrefix(a, "-"):
		case name == "verbose":
			continue
		case name == "data-dir":
			if !hasVal {
				i++
			}
			continue
		}
		rest = append(rest, a)
	}
	return s360sim.Main(rest, r.stdout, r.stderr)
}
