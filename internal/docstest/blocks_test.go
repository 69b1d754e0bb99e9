package docstest

import (
	"reflect"
	"strings"
	"testing"
)

func TestBlocks(t *testing.T) {
	page := strings.Join([]string{
		"# Title",                          // 1
		"",                                 // 2
		"```console",                       // 3
		"$ vfx up",                         // 4
		"banner",                           // 5
		"```",                              // 6
		"<!-- docs-test: illustrative -->", // 7
		"",                                 // 8
		"  ~~~~ sh extra words",            // 9
		"  go test ./...",                  // 10
		"    indented more",                // 11
		"  ~~~",                            // 12: shorter than the opening fence: content
		"  ~~~~",                           // 13
		"```",                              // 14
		"plain",                            // 15
		"````",                             // 16: a longer fence closes too
	}, "\n")
	got, err := Blocks(page)
	if err != nil {
		t.Fatal(err)
	}
	want := []Block{
		{Lang: "console", Line: 4, Lines: []string{"$ vfx up", "banner"}},
		{Lang: "sh", Line: 10, Lines: []string{"go test ./...", "  indented more", "~~~"}, Note: "illustrative"},
		{Lang: "", Line: 15, Lines: []string{"plain"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Blocks =\n%#v\nwant\n%#v", got, want)
	}
}

func TestBlocksErrors(t *testing.T) {
	for name, page := range map[string]string{
		"never closed":         "text\n```sh\nls\n",
		"closed by the other":  "```sh\nls\n~~~\n",
		"closing fence indent": "```sh\nls\n    ```\n",
	} {
		t.Run(name, func(t *testing.T) {
			if b, err := Blocks(page); err == nil {
				t.Fatalf("Blocks = %#v, want an error", b)
			}
		})
	}
}

func TestCommands(t *testing.T) {
	tests := []struct {
		name string
		b    Block
		want []Command
		err  string
	}{
		{
			name: "console with output and continuation",
			b: Block{Lang: "console", Line: 10, Lines: []string{
				"$ curl -X POST \"http://127.0.0.1:8000/x\" \\",
				"       --data @p.json > r.txt",
				"$ md5sum r.bmp   # the original's",
				"5d06  r.bmp",
				"",
				"$ vfx up",
				"line 1",
				"",
				"line 3",
				"",
			}},
			want: []Command{
				{Line: 10, Text: "curl -X POST \"http://127.0.0.1:8000/x\" \\\n       --data @p.json > r.txt"},
				{Line: 12, Text: "md5sum r.bmp   # the original's", Output: []string{"5d06  r.bmp"}},
				{Line: 15, Text: "vfx up", Output: []string{"line 1", "", "line 3"}},
			},
		},
		{
			name: "sh: every line but comments and blanks",
			b:    Block{Lang: "sh", Line: 3, Lines: []string{"# comment", "vfx up --min 2   # a pool", "", "go test \\", "  ./..."}},
			want: []Command{{Line: 4, Text: "vfx up --min 2   # a pool"}, {Line: 6, Text: "go test \\\n  ./..."}},
		},
		{name: "other languages have none", b: Block{Lang: "text", Lines: []string{"$ vfx up"}}},
		{name: "output first", b: Block{Lang: "console", Line: 1, Lines: []string{"", "out", "$ ls"}}, err: "line 2: output before"},
		{name: "dangling backslash", b: Block{Lang: "sh", Line: 1, Lines: []string{"ls \\"}}, err: "ends with a backslash"},
		{name: "empty command", b: Block{Lang: "console", Line: 1, Lines: []string{"$ "}}, err: "empty command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Commands(tt.b)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Commands = %#v, %v; want an error with %q", got, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Commands =\n%#v\nwant\n%#v", got, tt.want)
			}
		})
	}
}

// FuzzBlocks: any page parses or is refused without panicking; a block's
// lines are lines of the page, and its commands come from its lines.
func FuzzBlocks(f *testing.F) {
	for _, s := range []string{
		"```console\n$ a \\\nb\nout\n```\n",
		"<!-- docs-test: x -->\n~~~sh\nls\n~~~\n",
		"  ```\n  x\n  ```",
		"```\n",
		"````\n```\n````",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, page string) {
		blocks, err := Blocks(page)
		if err != nil {
			return
		}
		for _, b := range blocks {
			if b.Line < 1 {
				t.Fatalf("block at line %d", b.Line)
			}
			cmds, err := Commands(b)
			if err != nil {
				continue
			}
			for _, c := range cmds {
				if c.Line < b.Line || c.Line >= b.Line+len(b.Lines) {
					t.Fatalf("command at line %d outside its block (%d, %d lines)", c.Line, b.Line, len(b.Lines))
				}
			}
		}
	})
}
