package clients_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readmeSection is the part of README.md whose client snippets are excerpts of the examples.
const readmeSection = "## Calling Lanyard from code"

// snippetFiles maps the language of a fenced block to the example file it is an excerpt of.
var snippetFiles = map[string]string{
	"go":     "go/main.go",
	"ts":     "ts/index.ts",
	"python": "python/main.py",
	"java":   "java/src/main/java/example/Main.java",
}

// TestReadmeSnippets keeps README.md's client snippets excerpts of the examples, which TestExamples runs:
// every line of a snippet is a line of its example, but for indentation, and in the example's order. The
// section has one snippet for each language; blocks in other languages (commands) are not checked.
func TestReadmeSnippets(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n"+readmeSection+"\n")
	if !ok {
		t.Fatalf("README.md has no section %q", readmeSection)
	}
	section, _, _ = strings.Cut(section, "\n## ")

	seen := map[string]int{}
	for _, s := range fencedBlocks(section) {
		file, ok := snippetFiles[s.lang]
		if !ok {
			continue
		}
		seen[s.lang]++
		src, err := os.ReadFile(filepath.FromSlash(file))
		if err != nil {
			t.Fatal(err)
		}
		if line, ok := excerpt(s.body, string(src)); !ok {
			t.Errorf("README.md's %s snippet (%q, its line %d) is not an excerpt of examples/clients/%s: %q is not "+
				"there, or not after the line before it", s.lang, readmeSection, s.line, file, line)
		}
		// The check must be able to see a changed line.
		first, _, _ := strings.Cut(strings.TrimSpace(s.body), "\n")
		if _, ok := excerpt(strings.Replace(s.body, first, first+" x", 1), string(src)); ok {
			t.Errorf("the %s snippet with its first line changed still counts as an excerpt", s.lang)
		}
	}
	for lang, file := range snippetFiles {
		if seen[lang] != 1 {
			t.Errorf("README.md's %q has %d %s snippets, want one, from examples/clients/%s", readmeSection, seen[lang], lang, file)
		}
	}
}

type fenced struct {
	lang, body string
	line       int // of the opening fence, in the section
}

// fencedBlocks returns the ``` blocks of a Markdown text.
func fencedBlocks(md string) []fenced {
	var blocks []fenced
	var cur *fenced
	for i, line := range strings.Split(md, "\n") {
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &fenced{lang: strings.TrimSpace(strings.TrimPrefix(line, "```")), line: i + 1}
		case cur != nil && strings.TrimSpace(line) == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.body += line + "\n"
		}
	}
	return blocks
}

// excerpt reports whether every non-blank line of snippet is a line of src, but for leading and trailing
// white space, each after the one before; when not, it returns the first line that is not found.
func excerpt(snippet, src string) (string, bool) {
	var lines []string
	for l := range strings.Lines(src) {
		lines = append(lines, strings.TrimSpace(l))
	}
	i := 0
	for l := range strings.Lines(snippet) {
		want := strings.TrimSpace(l)
		if want == "" {
			continue
		}
		for i < len(lines) && lines[i] != want {
			i++
		}
		if i == len(lines) {
			return want, false
		}
		i++
	}
	return "", true
}
