package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"reflect"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Parse reads a plan file: YAML syntax, unknown keys, values of the wrong
// type and durations that do not parse. It reports every problem it finds,
// not only the first. The plan it returns keeps the position of every
// value for Validate; it is nil when the file is not YAML, is empty or is
// not a mapping. Source and Hash are set from filename and data.
func Parse(filename string, data []byte) (*Plan, Problems) {
	file, perr := parseYAML(data)
	if perr != nil {
		perr.File = filename
		return nil, Problems{*perr}
	}
	d := newDecoder(filename, file)
	var root ast.Node
	for _, doc := range file.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		if root != nil {
			line, col := nodePos(doc.Body)
			d.problemAt(line, col, "a plan file holds one plan; this second YAML document is not read")
			break
		}
		root = doc.Body
	}
	if root == nil {
		d.problemAt(1, 1, "the file is empty: a plan needs at least id, title, leaders, units, roles, services, servers and procedures")
		return nil, d.result()
	}
	if _, ok := d.resolve(root).(*ast.MappingNode); !ok {
		line, col := nodePos(root)
		d.problemAt(line, col, "a plan must be a mapping of keys (id, title, services, …), not %s", describeYAMLNode(d.resolve(root)))
		return nil, d.result()
	}
	p := &Plan{}
	d.decode(root, reflect.ValueOf(p).Elem(), "", "plan", srcPos{line: 1, col: 1}, 0)
	p.Source = filename
	p.Hash = planHash(data)
	p.pos = d.pos
	return p, d.result()
}

// Load parses and validates a plan file. The error, when not nil, is
// Problems: every problem found, each with its position. cat resolves
// action kinds; when nil, actions are not checked.
func Load(filename string, data []byte, cat Catalog) (*Plan, error) {
	p, problems := Parse(filename, data)
	if p != nil {
		problems = append(problems, Validate(p, cat)...)
	}
	if len(problems) > 0 {
		problems = dedupeProblems(problems)
		sortProblems(problems)
		return nil, problems
	}
	return p, nil
}

// LoadFile reads and loads the plan file at path; problems name the file
// as path.
func LoadFile(path string, cat Catalog) (*Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading plan: %w", err)
	}
	return Load(path, data, cat)
}

func planHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// parseYAML runs the YAML parser and turns its error into a problem with
// the parser's position. The parser is a third-party library fed with
// arbitrary files, so a panic in it is reported as a problem too.
func parseYAML(data []byte) (file *ast.File, problem *Problem) {
	defer func() {
		if r := recover(); r != nil {
			file, problem = nil, &Problem{Line: 1, Col: 1, Msg: fmt.Sprintf("YAML syntax error: the parser failed on this file (%v)", r)}
		}
	}()
	f, err := parser.ParseBytes(data, 0)
	if err == nil {
		return f, nil
	}
	p := &Problem{Line: 1, Col: 1, Msg: "YAML syntax error: " + err.Error()}
	var ye yaml.Error
	if errors.As(err, &ye) {
		p.Msg = "YAML syntax error: " + ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil && tk.Position.Line >= 1 {
			p.Line, p.Col = tk.Position.Line, max(tk.Position.Column, 1)
		}
	}
	return nil, p
}

// dedupeProblems drops repeated problems: a value reached through several YAML
// aliases is decoded, and reported, once per alias.
func dedupeProblems(ps Problems) Problems {
	seen := make(map[Problem]bool, len(ps))
	out := ps[:0]
	for _, p := range ps {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}
