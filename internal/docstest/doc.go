// Package docstest keeps the README and docs/*.md true to the program: its
// test runs every command they show in `console` and `sh` blocks, in order,
// as a reader would from the repository root (with `vfx` on the PATH and
// the seed data at ../shared/seed-data), against the real `vfx up`, `vfx
// lb` and `vfx worker` the pages start, and compares what each command
// prints with the output the page shows.
//
// The package itself only reads Markdown: Blocks finds the fenced code
// blocks of a page, with the note of a `<!-- docs-test: ... -->` comment
// right above one, and Commands reads the commands of a console block
// (`$ ` prompts, `\` continuations, the output below each) or of an sh
// block (one command a line). It must not import any package of this
// module.
package docstest
