package config

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// locate prefixes err, an error decoding data, with name. It turns a
// *yaml.TypeError (one message per problem, each beginning "line N: ")
// into one error per problem that names the key at that line too; other
// errors (YAML syntax) name their line already.
func locate(err error, name string, data []byte) error {
	var te *yaml.TypeError
	var root yaml.Node
	if !errors.As(err, &te) || yaml.Unmarshal(data, &root) != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	keys := map[int][]string{}
	keysByLine(&root, "", keys)
	errs := make([]error, 0, len(te.Errors))
	for _, msg := range te.Errors {
		// A value quoted in the message may span lines: one problem, one line.
		msg = strings.ReplaceAll(msg, "\n", `\n`)
		errs = append(errs, fmt.Errorf("%s: %s", name, withKey(msg, keys)))
	}
	return errors.Join(errs...)
}

// withKey adds to a message "line N: …" the key that line holds: "line N,
// key a.b: …". A line of several keys (a flow mapping or sequence) names
// the one they are all within, or all of them. yaml's "field x not found
// in type T" becomes "unknown key", naming x.
func withKey(msg string, keys map[int][]string) string {
	head, rest, ok := strings.Cut(msg, ": ")
	num, isLine := strings.CutPrefix(head, "line ")
	if !ok || !isLine {
		return msg
	}
	line, err := strconv.Atoi(num)
	if err != nil || len(keys[line]) == 0 {
		return msg
	}
	if strings.HasSuffix(rest, " into time.Duration") {
		rest += " (want a duration such as 2s or 1m30s)"
	}
	ks := keys[line]
	if field, ok := unknownField(rest); ok {
		rest = "unknown key"
		if i := slices.IndexFunc(ks, func(k string) bool { return k == field || strings.HasSuffix(k, "."+field) }); i >= 0 {
			ks = ks[i : i+1]
		}
	}
	if outer := ks[0]; !slices.ContainsFunc(ks[1:], func(k string) bool { return !within(k, outer) }) {
		return fmt.Sprintf("line %d, key %s: %s", line, outer, rest)
	}
	return fmt.Sprintf("line %d, keys %s: %s", line, strings.Join(ks, ", "), rest)
}

// unknownField returns the key that yaml's message "field x not found in
// type T" names.
func unknownField(msg string) (string, bool) {
	rest, ok := strings.CutPrefix(msg, "field ")
	if !ok {
		return "", false
	}
	field, _, ok := strings.Cut(rest, " not found in type ")
	return field, ok
}

// within reports whether key path k is below path outer.
func within(k, outer string) bool {
	rest, ok := strings.CutPrefix(k, outer)
	return ok && (strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, "["))
}

// keysByLine records, for each line of n's document, the paths of the keys
// (a.b, list[2]) whose key or value starts there; a block mapping or
// sequence is left to its own keys. path is n's.
func keysByLine(n *yaml.Node, path string, keys map[int][]string) {
	add := func(line int, p string) {
		if p != "" && !slices.Contains(keys[line], p) {
			keys[line] = append(keys[line], p)
		}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			keysByLine(c, path, keys)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			add(k.Line, p)
			if leaf(v) || v.Line == k.Line {
				add(v.Line, p)
			}
			keysByLine(v, p, keys)
		}
	case yaml.SequenceNode:
		if path == "" {
			return // not a mapping: there are no keys
		}
		for i, v := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			if leaf(v) || v.Style&yaml.FlowStyle != 0 {
				add(v.Line, p)
			}
			keysByLine(v, p, keys)
		}
	}
}

// leaf reports whether n holds no keys of its own.
func leaf(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode || n.Kind == yaml.AliasNode }
