package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"s360gate/core"
	"s360gate/core/words"
)

// A settings file is edited by hand too, in Notepad: it may start with a
// UTF-8 byte-order mark, hold a number in quotes, or miss a comma. Whoever
// edited it must be told which setting and what is wrong with it; a
// setting of the wrong type must not hide the others.

var utf8BOM = []byte("\xef\xbb\xbf")

// decode reads a settings file into s. A file that is not JSON is an
// error with its line and column. Settings of the wrong type are each
// named in a core.FieldErrors (by the key written in the file), and the
// others are read all the same: a caller that can do without the wrong
// ones (scan, when only sync settings are wrong) goes on with them.
func decode(b []byte, s *core.Settings) error {
	b = bytes.TrimPrefix(b, utf8BOM) // Notepad writes one
	err := json.Unmarshal(b, s)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := position(b, se.Offset)
		// The character itself is not quoted: it could be part of the
		// password.
		return fmt.Errorf("line %d, column %d: this is not valid JSON (a missing comma or quote, or a comma before } or ]?)", line, col)
	}
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return errors.New("this is not a JSON object of settings")
	}
	// Unmarshal read all it could and named the first wrong setting only:
	// name each one.
	var raw map[string]json.RawMessage
	if json.Unmarshal(b, &raw) != nil {
		return errors.New("this is not a JSON object of settings")
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var fe core.FieldErrors
	for _, k := range keys {
		key, _ := json.Marshal(k)
		var one core.Settings
		err := json.Unmarshal(append(append(append([]byte("{"), key...), ':'), append(raw[k], '}')...), &one)
		if errors.As(err, &te) {
			fe = append(fe, typeError(k, te))
		}
	}
	if len(fe) == 0 { // cannot happen; say what Unmarshal said
		return fmt.Errorf("a setting has the wrong type (%s)", te.Field)
	}
	return fe
}

// typeError says what a setting must be and what it is, without its
// value (it could be the password), in words of the catalogue.
func typeError(field string, te *json.UnmarshalTypeError) core.FieldError {
	found := te.Value
	if i := bytes.IndexByte([]byte(found), ' '); i > 0 {
		found = found[:i] // "number 12.5": keep the kind only
	}
	want := "settings.type.other"
	switch te.Type.Kind() {
	case reflect.Int, reflect.Int64, reflect.Int32:
		want = "settings.type.int"
	case reflect.String:
		want = "settings.type.string"
	case reflect.Bool:
		want = "settings.type.bool"
	case reflect.Slice:
		want = "settings.type.list"
	case reflect.Map:
		want = "settings.type.map"
	}
	switch found {
	case "string", "number", "bool", "array", "object":
		return core.NewFieldError(field, "settings.err.type", map[string]any{"Want": words.Key(want), "Found": words.Key("settings.found." + found)})
	}
	return core.NewFieldError(field, "settings.err.typeOnly", map[string]any{"Want": words.Key(want)})
}

// position turns a byte offset into a line and column (from 1).
func position(b []byte, off int64) (line, col int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	before := b[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, max(col-1, 1)
}
