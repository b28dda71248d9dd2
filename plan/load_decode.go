package plan

import (
	"encoding"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// Limits that keep a hostile or broken file from exhausting memory or the
// stack: YAML aliases can make a small file expand enormously.
const (
	maxYAMLDepth = 64
	maxYAMLNodes = 50_000
)

// decoder turns the YAML syntax tree into a Plan by reflection over the
// model's yaml tags, recording the position of every value and collecting
// every problem instead of stopping at the first.
type decoder struct {
	file     string
	pos      srcPositions
	problems Problems
	aliases  map[*ast.AliasNode]ast.Node
	nodes    int
	tooBig   bool
}

func newDecoder(filename string, file *ast.File) *decoder {
	d := &decoder{file: filename, pos: srcPositions{}, aliases: map[*ast.AliasNode]ast.Node{}}
	anchors := map[string]ast.Node{}
	for _, doc := range file.Docs {
		if doc != nil {
			d.collectAnchors(doc.Body, anchors, 0)
		}
	}
	return d
}

// collectAnchors binds every alias to the anchor it names, in document
// order: an alias refers to the latest complete anchor of that name before
// it, so an anchor cannot contain an alias to itself.
func (d *decoder) collectAnchors(n ast.Node, anchors map[string]ast.Node, depth int) {
	if n == nil || depth > maxYAMLDepth {
		return
	}
	switch n := n.(type) {
	case *ast.AnchorNode:
		d.collectAnchors(n.Value, anchors, depth+1)
		if n.Name != nil && n.Value != nil {
			anchors[n.Name.GetToken().Value] = n.Value
		}
	case *ast.AliasNode:
		if n.Value != nil {
			if target, ok := anchors[n.Value.GetToken().Value]; ok {
				d.aliases[n] = target
			}
		}
	case *ast.TagNode:
		d.collectAnchors(n.Value, anchors, depth+1)
	case *ast.MappingNode:
		for _, mv := range n.Values {
			d.collectAnchors(mv, anchors, depth+1)
		}
	case *ast.MappingValueNode:
		d.collectAnchors(n.Key, anchors, depth+1)
		d.collectAnchors(n.Value, anchors, depth+1)
	case *ast.MappingKeyNode:
		d.collectAnchors(n.Value, anchors, depth+1)
	case *ast.SequenceNode:
		for _, v := range n.Values {
			d.collectAnchors(v, anchors, depth+1)
		}
	}
}

func (d *decoder) problemAt(line, col int, format string, args ...any) {
	d.problems = append(d.problems, Problem{File: d.file, Line: max(line, 1), Col: max(col, 1), Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) result() Problems {
	ps := dedupeProblems(d.problems)
	sortProblems(ps)
	return ps
}

// resolve looks through anchors, aliases and tags to the node that holds
// the value; an alias to an unknown anchor resolves to nil.
func (d *decoder) resolve(n ast.Node) ast.Node {
	for range maxYAMLDepth {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		case *ast.AliasNode:
			n = d.aliases[v]
		default:
			return n
		}
	}
	return nil
}

// nodePos returns where n starts; a mapping starts at its first key.
func nodePos(n ast.Node) (line, col int) {
	switch v := n.(type) {
	case nil:
		return 0, 0
	case *ast.MappingNode:
		if len(v.Values) > 0 && v.Values[0].Key != nil {
			return nodePos(v.Values[0].Key)
		}
	case *ast.MappingValueNode:
		if v.Key != nil {
			return nodePos(v.Key)
		}
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line, tk.Position.Column
	}
	return 0, 0
}

// describeYAMLNode names the kind of a YAML value for messages.
func describeYAMLNode(n ast.Node) string {
	switch n.(type) {
	case nil, *ast.NullNode:
		return "nothing"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping of keys"
	case *ast.SequenceNode:
		return "a list"
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "the number " + strconv.Quote(n.GetToken().Value)
	case *ast.BoolNode:
		return "the boolean " + n.GetToken().Value
	default:
		return "the text " + strconv.Quote(scalarText(n))
	}
}

// scalarText returns the text of a scalar as written, without quotes; it
// is empty for anything but a scalar.
func scalarText(n ast.Node) string {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value
	case *ast.LiteralNode:
		if v.Value != nil {
			return v.Value.Value
		}
		return ""
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return v.GetToken().Value
	}
	return ""
}

func isScalar(n ast.Node) bool {
	switch n.(type) {
	case *ast.StringNode, *ast.LiteralNode, *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return true
	}
	return false
}

var (
	textType            = reflect.TypeFor[Text]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// decode stores the value of node n into v. path names v inside the plan,
// name is how messages call it, and at is where it is written (the key's
// position, used when the value itself is empty).
func (d *decoder) decode(n ast.Node, v reflect.Value, path, name string, at srcPos, depth int) {
	if d.tooBig {
		return
	}
	d.nodes++
	if d.nodes > maxYAMLNodes || depth > maxYAMLDepth {
		d.tooBig = true
		d.problemAt(at.line, at.col, "%s is nested too deeply or expands to too many values (recursive YAML aliases?)", name)
		return
	}
	if alias, ok := n.(*ast.AliasNode); ok && d.aliases[alias] == nil {
		line, col := nodePos(n)
		d.problemAt(line, col, "%s refers to the YAML anchor %s, which is not defined before it", name, strconv.Quote(alias.Value.GetToken().Value))
		d.pos[path] = srcPos{line: line, col: col, bad: true}
		return
	}
	val := d.resolve(n)
	here := at
	if _, null := val.(*ast.NullNode); !null && val != nil {
		if line, col := nodePos(n); line >= 1 {
			here = srcPos{line: line, col: col}
		}
	}
	d.pos[path] = here
	if val == nil {
		return
	}
	if _, null := val.(*ast.NullNode); null {
		return
	}
	bad := func(format string, args ...any) {
		d.problemAt(here.line, here.col, format, args...)
		here.bad = true
		d.pos[path] = here
	}

	t := v.Type()
	switch {
	case t == textType && isScalar(val):
		v.Field(0).SetString(scalarText(val))
		return
	case reflect.PointerTo(t).Implements(textUnmarshalerType):
		if !isScalar(val) {
			bad("%s must be a single value, not %s", name, describeYAMLNode(val))
			return
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(scalarText(val))); err != nil {
			bad("%s: %v", name, err)
		}
		return
	}

	switch t.Kind() {
	case reflect.Struct:
		if !isMapping(val) {
			if t == textType {
				bad("%s must be text, or a mapping with es and en, not %s", name, describeYAMLNode(val))
			} else {
				bad("%s must be a mapping of keys, not %s", name, describeYAMLNode(val))
			}
			return
		}
		d.decodeStruct(val, v, path, depth)
	case reflect.Pointer:
		// An unusable value leaves the pointer nil, so that validation
		// does not judge an empty block the file never meant.
		elem := reflect.New(t.Elem())
		d.decode(n, elem.Elem(), path, name, at, depth)
		if !d.pos[path].bad {
			v.Set(elem)
		}
	case reflect.Slice:
		seq, ok := val.(*ast.SequenceNode)
		if !ok {
			bad("%s must be a list, not %s", name, describeYAMLNode(val))
			return
		}
		s := reflect.MakeSlice(t, len(seq.Values), len(seq.Values))
		for i, item := range seq.Values {
			d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i), fmt.Sprintf("item %d of %s", i+1, name), here, depth+1)
		}
		v.Set(s)
	case reflect.Map:
		if !isMapping(val) {
			bad("%s must be a mapping of keys, not %s", name, describeYAMLNode(val))
			return
		}
		m := reflect.MakeMap(t)
		d.eachEntry(val, depth, func(key string, kn, vn ast.Node) {
			kl, kc := nodePos(kn)
			elem := reflect.New(t.Elem()).Elem()
			d.decode(vn, elem, joinPlanPath(path, key), key, srcPos{line: kl, col: kc}, depth+1)
			m.SetMapIndex(reflect.ValueOf(key).Convert(t.Key()), elem)
		})
		v.Set(m)
	case reflect.String:
		if !isScalar(val) {
			bad("%s must be text, not %s", name, describeYAMLNode(val))
			return
		}
		v.SetString(scalarText(val))
	case reflect.Int:
		i, ok := val.(*ast.IntegerNode)
		if !ok {
			bad("%s must be a whole number, not %s", name, describeYAMLNode(val))
			return
		}
		n, ok := yamlInt(i)
		if !ok {
			bad("%s is too large", name)
			return
		}
		v.SetInt(int64(n))
	case reflect.Bool:
		b, ok := val.(*ast.BoolNode)
		if !ok {
			bad("%s must be true or false, not %s", name, describeYAMLNode(val))
			return
		}
		v.SetBool(b.Value)
	case reflect.Interface:
		if x := d.toAny(val, depth+1); x != nil {
			v.Set(reflect.ValueOf(x))
		}
	default:
		panic(fmt.Sprintf("plan: cannot decode YAML into %s", t))
	}
}

func yamlInt(n *ast.IntegerNode) (int, bool) {
	switch x := n.Value.(type) {
	case int64:
		if x >= math.MinInt && x <= math.MaxInt {
			return int(x), true
		}
	case uint64:
		if x <= math.MaxInt {
			return int(x), true
		}
	}
	return 0, false
}

func joinPlanPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func isMapping(n ast.Node) bool {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return true
	}
	return false
}

// yamlEntries lists the key/value pairs of a mapping node.
func yamlEntries(n ast.Node) []*ast.MappingValueNode {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}
	}
	return nil
}

// eachEntry calls fn for every key of a mapping, merge keys (<<: *anchor)
// first so that keys written in the mapping itself win over merged ones.
func (d *decoder) eachEntry(n ast.Node, depth int, fn func(key string, kn, vn ast.Node)) {
	if depth > maxYAMLDepth {
		return
	}
	es := yamlEntries(n)
	for _, mv := range es {
		if mv.Key == nil || !mv.Key.IsMergeKey() {
			continue
		}
		src := d.resolve(mv.Value)
		var maps []ast.Node
		if seq, ok := src.(*ast.SequenceNode); ok {
			for _, item := range seq.Values {
				maps = append(maps, d.resolve(item))
			}
		} else {
			maps = append(maps, src)
		}
		for _, m := range maps {
			if !isMapping(m) {
				line, col := nodePos(mv.Value)
				d.problemAt(line, col, "a merge key (<<) must refer to a mapping, not %s", describeYAMLNode(m))
				continue
			}
			d.eachEntry(m, depth+1, fn)
		}
	}
	for _, mv := range es {
		if mv.Key == nil || mv.Key.IsMergeKey() {
			continue
		}
		kn := d.resolve(mv.Key)
		if !isScalar(kn) {
			line, col := nodePos(mv.Key)
			d.problemAt(line, col, "a key must be plain text, not %s", describeYAMLNode(kn))
			continue
		}
		fn(scalarText(kn), mv.Key, mv.Value)
	}
}

// decodeStruct decodes a mapping into a struct of the model, reporting
// keys the struct does not have.
func (d *decoder) decodeStruct(n ast.Node, v reflect.Value, path string, depth int) {
	t := v.Type()
	fields := yamlFields(t)
	d.eachEntry(n, depth, func(key string, kn, vn ast.Node) {
		kl, kc := nodePos(kn)
		i, ok := fields[key]
		if !ok {
			d.problemAt(kl, kc, "%s", unknownKey(key, t, fields))
			return
		}
		d.decode(vn, v.Field(i), joinPlanPath(path, key), key, srcPos{line: kl, col: kc}, depth+1)
	})
}

// yamlFields maps the yaml key of every decodable field of t to its index.
func yamlFields(t reflect.Type) map[string]int {
	fields := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = i
	}
	return fields
}

// typeNouns names the model's types in messages.
var typeNouns = map[reflect.Type]string{
	reflect.TypeFor[Plan]():           "the plan",
	reflect.TypeFor[Text]():           "a text (only es and en)",
	reflect.TypeFor[Term]():           "a term",
	reflect.TypeFor[Unit]():           "a unit",
	reflect.TypeFor[Role]():           "a role",
	reflect.TypeFor[Person]():         "a person",
	reflect.TypeFor[Service]():        "a service",
	reflect.TypeFor[Check]():          "a check",
	reflect.TypeFor[Server]():         "a server",
	reflect.TypeFor[VSphere]():        "a vsphere block",
	reflect.TypeFor[Copy]():           "a copy",
	reflect.TypeFor[Backup]():         "a backup",
	reflect.TypeFor[DatabaseCheck]():  "a backup's database",
	reflect.TypeFor[Spec]():           "a spec",
	reflect.TypeFor[DrillTarget]():    "the drill target",
	reflect.TypeFor[ReadinessCheck](): "a readiness check",
	reflect.TypeFor[Procedure]():      "a procedure",
	reflect.TypeFor[Step]():           "a step",
}

// unknownKey explains an unknown key, suggesting the nearest known one or
// listing them all.
func unknownKey(key string, t reflect.Type, fields map[string]int) string {
	noun := typeNouns[t]
	if noun == "" {
		noun = t.Name()
	}
	known := make([]string, 0, len(fields))
	for k := range fields {
		known = append(known, k)
	}
	slices.SortFunc(known, func(a, b string) int { return fields[a] - fields[b] })
	// Suggest a key only when it is plainly a typo: a few letters off for a
	// long enough key, or the key cut short ("memory" for memory_mb).
	lower := strings.ToLower(key)
	best, bestDist := "", min(3, len(lower)/2+1)
	for _, k := range known {
		if dist := editDistance(lower, k); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	if best == "" && len(lower) >= 4 {
		for _, k := range known {
			if strings.HasPrefix(k, lower) {
				best = k
				break
			}
		}
	}
	if best != "" {
		return fmt.Sprintf("unknown key %q in %s; did you mean %q?", key, noun, best)
	}
	return fmt.Sprintf("unknown key %q in %s; known keys are %s", key, noun, strings.Join(known, ", "))
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// toAny decodes a free-form value (action parameters): text, int, float64,
// bool, nil, []any or map[string]any. Positions inside it are not kept:
// problems with a parameter point at the parameter.
func (d *decoder) toAny(n ast.Node, depth int) any {
	d.nodes++
	if d.tooBig || d.nodes > maxYAMLNodes || depth > maxYAMLDepth {
		if !d.tooBig {
			d.tooBig = true
			line, col := nodePos(n)
			d.problemAt(line, col, "this value is nested too deeply or expands to too many values (recursive YAML aliases?)")
		}
		return nil
	}
	n = d.resolve(n)
	switch v := n.(type) {
	case nil, *ast.NullNode:
		return nil
	case *ast.StringNode, *ast.LiteralNode:
		return scalarText(v)
	case *ast.IntegerNode:
		if i, ok := yamlInt(v); ok {
			return i
		}
		return v.Value
	case *ast.FloatNode:
		return v.Value
	case *ast.InfinityNode:
		return v.Value
	case *ast.NanNode:
		return math.NaN()
	case *ast.BoolNode:
		return v.Value
	case *ast.SequenceNode:
		out := make([]any, len(v.Values))
		for i, item := range v.Values {
			out[i] = d.toAny(item, depth+1)
		}
		return out
	case *ast.MappingNode, *ast.MappingValueNode:
		out := map[string]any{}
		d.eachEntry(v, depth, func(key string, _, vn ast.Node) {
			out[key] = d.toAny(vn, depth+1)
		})
		return out
	}
	return scalarText(n)
}
