package s360

import (
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
)

// Answers other than exportList are small; they are read whole (at most
// maxAnswer bytes) into generic values and searched with tolerance, because
// their shape beyond statusCode/statusDetail is [assumed].
const maxAnswer = 16 << 20

// readAnswer decodes a whole answer and checks its status.
func readAnswer(method string, r io.Reader) (map[string]any, error) {
	dec := json.NewDecoder(io.LimitReader(r, maxAnswer))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the end of the answer")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("answer is not a JSON object")
	}
	code, hasCode := get(m, kCode)
	if !hasCode {
		return nil, errors.New(method + " answer has no statusCode")
	}
	detail, _ := get(m, kDetail)
	if !isSuccess(scalarText(code)) {
		return nil, &StatusError{Method: method, Code: scalarText(code), Detail: scalarText(detail)}
	}
	return m, nil
}

// isSuccess: the status codes are not published; "success" in any case is
// success and anything else a failure [assumed].
func isSuccess(code string) bool { return strings.EqualFold(strings.TrimSpace(code), "success") }

// get finds a key by its normalised name.
func get(m map[string]any, norm ...string) (any, bool) {
	for _, k := range sortedKeys(m) {
		if slices.Contains(norm, normalize(k)) {
			return m[k], true
		}
	}
	return nil, false
}

// getText is get for a non-empty scalar.
func getText(m map[string]any, norm ...string) string {
	for _, n := range norm {
		if v, ok := get(m, n); ok {
			if s := strings.TrimSpace(scalarText(v)); s != "" {
				return s
			}
		}
	}
	return ""
}

// scalarText renders a decoded scalar as text; objects and lists are "".
func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	case float64:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return ""
}

// sortedKeys makes searches deterministic (map order is random).
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// walk visits every object of v breadth-first (so the shallowest match
// wins), with the normalised key it was found under ("" at the top and in
// lists, which pass their own key on).
func walk(v any, visit func(key string, m map[string]any) bool) {
	type node struct {
		key string
		v   any
	}
	queue := []node{{"", v}}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		switch x := n.v.(type) {
		case map[string]any:
			if !visit(n.key, x) {
				return
			}
			for _, k := range sortedKeys(x) {
				queue = append(queue, node{normalize(k), x[k]})
			}
		case []any:
			for _, e := range x {
				queue = append(queue, node{n.key, e})
			}
		}
	}
}

// lists returns every list of objects in v with the normalised key it is
// under, shallowest first.
func lists(v any) (keys []string, found [][]map[string]any) {
	walk(v, func(_ string, m map[string]any) bool {
		for _, k := range sortedKeys(m) {
			arr, ok := m[k].([]any)
			if !ok {
				continue
			}
			var objs []map[string]any
			for _, e := range arr {
				if o, ok := e.(map[string]any); ok {
					objs = append(objs, o)
				}
			}
			if len(objs) > 0 {
				keys = append(keys, normalize(k))
				found = append(found, objs)
			}
		}
		return true
	})
	return keys, found
}
