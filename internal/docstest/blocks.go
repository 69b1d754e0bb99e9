package docstest

import (
	"fmt"
	"strings"
)

// notePrefix starts the HTML comment that annotates the block below it.
const notePrefix = "<!-- docs-test:"

// Block is a fenced code block of a Markdown page.
type Block struct {
	// Lang is the first word of the fence's info string ("" for none).
	Lang string
	// Line is the line number of its first content line (from 1).
	Line int
	// Lines are its content lines, the fence's indentation removed.
	Lines []string
	// Note is the text of a `<!-- docs-test: NOTE -->` comment on the last
	// non-empty line before the fence, "" if there is none.
	Note string
}

// Blocks returns the fenced code blocks of a Markdown page (``` or ~~~
// fences of three or more characters, indented by up to three spaces).
// A fence that is never closed is an error.
func Blocks(page string) ([]Block, error) {
	lines := strings.Split(strings.ReplaceAll(page, "\r\n", "\n"), "\n")
	var (
		blocks   []Block
		prev     string // the last non-empty line outside a block
		open     *Block
		fence    string // the opening fence's characters
		fenceIdx int    // its indentation
	)
	for i, line := range lines {
		indent := len(line) - len(strings.TrimLeft(line, " "))
		rest := line[indent:]
		if open != nil {
			if indent < 4 && strings.HasPrefix(rest, fence) && strings.Trim(rest, fence[:1]+" \t") == "" {
				blocks = append(blocks, *open)
				open, prev = nil, line
				continue
			}
			open.Lines = append(open.Lines, dedent(line, fenceIdx))
			continue
		}
		if f := fenceOf(rest); f != "" && indent < 4 {
			info := strings.TrimSpace(rest[len(f):])
			if f[0] == '`' && strings.Contains(info, "`") {
				// Not a fence: inline code at the start of a line.
				prev = line
				continue
			}
			lang, _, _ := strings.Cut(info, " ")
			open = &Block{Lang: lang, Line: i + 2, Note: note(prev)}
			fence, fenceIdx = f, indent
			continue
		}
		if strings.TrimSpace(line) != "" {
			prev = line
		}
	}
	if open != nil {
		return nil, fmt.Errorf("line %d: code block never closed", open.Line-1)
	}
	return blocks, nil
}

// fenceOf returns the fence that starts s (three or more backticks or
// tildes), or "".
func fenceOf(s string) string {
	for _, c := range "`~" {
		n := len(s) - len(strings.TrimLeft(s, string(c)))
		if n >= 3 {
			return s[:n]
		}
	}
	return ""
}

// dedent removes up to n leading spaces.
func dedent(line string, n int) string {
	for i := 0; i < n && strings.HasPrefix(line, " "); i++ {
		line = line[1:]
	}
	return line
}

// note is the text of a docs-test comment line, or "".
func note(line string) string {
	s := strings.TrimSpace(line)
	if !strings.HasPrefix(s, notePrefix) || !strings.HasSuffix(s, "-->") {
		return ""
	}
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(s, notePrefix), "-->"))
}

// Command is one command a block shows.
type Command struct {
	// Line is the line of the page it starts on.
	Line int
	// Text is the command as a shell reads it: continuation lines joined
	// with their backslash-newlines, a console prompt removed.
	Text string
	// Output is what a console block shows below it (trailing empty lines
	// removed); nil for an sh block.
	Output []string
}

// Commands returns the commands of a console block (lines starting with
// "$ ", each followed by its output) or of an sh, bash or shell block
// (every line that is not empty or a comment). A line ending with a
// backslash continues on the next one. Other blocks have no commands. A
// console block with text before its first prompt, or a continuation
// that never ends, is an error.
func Commands(b Block) ([]Command, error) {
	var console bool
	switch b.Lang {
	case "console":
		console = true
	case "sh", "bash", "shell":
	default:
		return nil, nil
	}
	var cmds []Command
	for i := 0; i < len(b.Lines); i++ {
		line := b.Lines[i]
		text, isCmd := line, true
		if console {
			text, isCmd = strings.CutPrefix(line, "$ ")
		} else if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if !isCmd {
			if len(cmds) == 0 {
				if strings.TrimSpace(line) == "" {
					continue
				}
				return nil, fmt.Errorf("line %d: output before the first $ command", b.Line+i)
			}
			last := &cmds[len(cmds)-1]
			last.Output = append(last.Output, line)
			continue
		}
		c := Command{Line: b.Line + i, Text: text}
		for strings.HasSuffix(c.Text, `\`) {
			i++
			if i == len(b.Lines) {
				return nil, fmt.Errorf("line %d: the command's last line ends with a backslash", c.Line)
			}
			c.Text += "\n" + b.Lines[i]
		}
		cmds = append(cmds, c)
	}
	for i := range cmds {
		out := cmds[i].Output
		for len(out) > 0 && strings.TrimSpace(out[len(out)-1]) == "" {
			out = out[:len(out)-1]
		}
		cmds[i].Output = out
		if strings.TrimSpace(cmds[i].Text) == "" {
			return nil, fmt.Errorf("line %d: empty command", cmds[i].Line)
		}
	}
	return cmds, nil
}
