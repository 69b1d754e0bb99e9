package docstest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// notRun are the commands the pages show that this test does not run,
// by how their text starts, each with the reason. An entry that matches no
// command fails the test, so that the list cannot outlive the pages.
var notRun = []struct{ prefix, why string }{
	{"./scripts/test.sh", "the whole test suite, this test included"},
	{"FUZZTIME=", "fuzzing runs for minutes"},
	{"go test ", "Go tests and benchmarks are not run from inside a test"},
	{"VFX_TEST_BINARY=", "Go tests are not run from inside a test"},
	{"bash bench/", "the benchmarks take minutes and install tools"},
	{"CGO_ENABLED=0 go build -o vfx ./cmd/vfx", "the vfx this test runs is built with this command (testutil.StaticVFX)"},
	{"vfx up --provider docker", "needs the Docker engine; the docker provider's own tests run it"},
	{"vfx lb --provider docker", "needs the Docker engine; the docker provider's own tests run it"},
	{"vfx up --autoscale-config autoscaler.yaml", "the example file is a deployment's (its state_dir is /var/lib/vfx)"},
}

// pages are the pages whose commands run: the README and docs/*.md,
// relative to the repository root.
func pages(t *testing.T) (root string, names []string) {
	t.Helper()
	root, err := testutil.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	names = []string{"README.md"}
	for _, d := range docs {
		names = append(names, filepath.Join("docs", filepath.Base(d)))
	}
	return root, names
}

// readBlocks reads the code blocks of a page.
func readBlocks(t *testing.T, root, page string) []Block {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, page))
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := Blocks(string(b))
	if err != nil {
		t.Fatalf("%s: %v", page, err)
	}
	return blocks
}

// TestBlocksNameALanguage: every code block of the pages says what it
// holds, so that no command escapes TestDocCommands by an untagged fence:
// console (commands and their output), sh (commands), text (output,
// diagrams, templates) or a data or program language.
func TestBlocksNameALanguage(t *testing.T) {
	root, names := pages(t)
	for _, page := range names {
		for _, b := range readBlocks(t, root, page) {
			if b.Lang == "" {
				t.Errorf("%s:%d: code block without a language (console, sh, text, …)", page, b.Line-1)
			}
			if _, err := Commands(b); err != nil {
				t.Errorf("%s: %v", page, err)
			}
		}
	}
}

// TestDocCommands runs the commands of every page's console and sh
// blocks, page by page, in order, as a reader would from the repository
// root (see doc.go). Each command is a subtest named after its line and
// text; the commands of notRun and of blocks marked
// `<!-- docs-test: REASON -->` are skipped with their reason.
func TestDocCommands(t *testing.T) {
	testutil.NeedTools(t, "curl", "jq", "hexdump", "base64", "md5sum", "sed")
	bin, err := testutil.StaticVFX()
	if err != nil {
		t.Fatal(err)
	}
	root, names := pages(t)
	used := make([]bool, len(notRun))
	ran := 0
	for _, page := range names {
		blocks := readBlocks(t, root, page)
		t.Run(page, func(t *testing.T) {
			ran++
			d := newPage(t, bin)
			defer d.stopAll()
			for _, b := range blocks {
				cmds, err := Commands(b)
				if err != nil {
					t.Fatalf("%s: %v", page, err)
				}
				for _, c := range cmds {
					name := fmt.Sprintf("%d %s", c.Line, strings.ReplaceAll(firstLine(c.Text), "/", "∕"))
					why := skipReason(b, c, used)
					if why == "" && isServer(d.alias(c.Text)) && !expectsFailure(c) {
						srv := d.startServer(c)
						t.Run(name, func(t *testing.T) { d.checkServer(t, srv, c) })
						continue
					}
					t.Run(name, func(t *testing.T) {
						if why != "" {
							t.Skip(why)
						}
						d.runCommand(t, c)
					})
				}
			}
		})
	}
	if ran < len(names) || t.Failed() {
		return // a -run pattern chose some pages only, or a page stopped early
	}
	for i, n := range notRun {
		if !used[i] {
			t.Errorf("notRun entry %q matches no command of the pages: remove it", n.prefix)
		}
	}
}

// skipReason is why a command is not run, or "".
func skipReason(b Block, c Command, used []bool) string {
	if b.Note != "" {
		return "marked in the page: " + b.Note
	}
	for i, n := range notRun {
		if strings.HasPrefix(c.Text, n.prefix) {
			used[i] = true
			return n.why
		}
	}
	return ""
}

// expectsFailure reports whether the page shows the command failing:
// vfx's error line in its output.
func expectsFailure(c Command) bool {
	return slices.ContainsFunc(c.Output, func(l string) bool { return strings.HasPrefix(l, "vfx: ") })
}

// firstLine is the first line of a command, without a trailing comment or
// backslash: the name of its subtest.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if i := strings.Index(s, " #"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSuffix(strings.TrimSpace(s), `\`)
}
