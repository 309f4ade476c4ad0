// Package schema reads a store's numbered SQL migrations (NNNN_name.sql),
// for both stores: a station's SQLite file and the venue's PostgreSQL
// database number and check them alike.
package schema

import (
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"s360gate/core"
)

// Migration is one step of a schema: Version n is the file numbered n.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Read returns the migrations in fsys's "migrations" folder in order,
// refusing a misnamed file or a gap in the numbering (1, 2, 3…).
func Read(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, core.Errorf(core.EInternal, "migration file %s is not named NNNN_name.sql", e.Name())
		}
		b, err := fs.ReadFile(fsys, "migrations/"+e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{v, e.Name(), string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, core.Errorf(core.EInternal, "migrations are not numbered 1, 2, 3…: %s", m.Name)
		}
	}
	return ms, nil
}
