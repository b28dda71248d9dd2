package plan

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Problem is one thing wrong with a plan file, with where it is.
type Problem struct {
	File      string
	Line, Col int
	Msg       string
}

// String renders the problem as FILE:LINE:COL: msg, the form editors and
// CI logs understand. A problem without a position renders as FILE: msg.
func (p Problem) String() string {
	file := p.File
	if file == "" {
		file = "plan"
	}
	if p.Line < 1 {
		return fmt.Sprintf("%s: %s", file, p.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", file, p.Line, p.Col, p.Msg)
}

// Problems is every problem found in a plan. It is an error: one problem
// per line, sorted by position.
type Problems []Problem

// Error lists every problem, one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// sortProblems orders problems by file, line and column, keeping the order
// in which they were found for problems at the same place.
func sortProblems(ps Problems) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
}

// srcPos is where a node of a plan file starts. bad marks a value that
// could not be decoded, so that validation does not report it again as
// missing.
type srcPos struct {
	line, col int
	bad       bool
}

// srcPositions maps a path into the plan, like "services[2].servers[1]" or
// "procedures[0].steps[3].owner", to where its value is written.
type srcPositions map[string]srcPos

// at returns the position of path, or of its nearest ancestor written in
// the file, or no position at all for plans built in code.
func (ps srcPositions) at(path string) (line, col int) {
	for {
		if p, ok := ps[path]; ok {
			return p.line, p.col
		}
		if path == "" {
			return 0, 0
		}
		path = parentPath(path)
	}
}

// written reports whether path was written in the file, and whether its
// value, or the value of one of its ancestors, was unusable.
func (ps srcPositions) written(path string) (present, bad bool) {
	p, present := ps[path]
	bad = p.bad
	for a := parentPath(path); !bad && a != ""; a = parentPath(a) {
		bad = ps[a].bad
	}
	return present, bad
}

// parentPath strips the last element of a path: "a[1].b" → "a[1]" → "a".
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}
