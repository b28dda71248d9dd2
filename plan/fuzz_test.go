package plan_test

import (
	"slices"
	"testing"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
)

// FuzzParse feeds arbitrary bytes to the loader: it must never panic, and
// every problem it reports must point at a real place in the file. Its
// seed corpus is in testdata/fuzz/FuzzParse (valid and invalid plans and
// odd YAML: anchors, merge keys, tags, block scalars).
func FuzzParse(f *testing.F) {
	f.Add([]byte(validPlan))
	cat := actions.Catalog()
	f.Fuzz(func(t *testing.T, data []byte) {
		p, problems := plan.Parse("fuzz.yaml", data)
		checkProblems(t, "Parse", problems)
		if p == nil {
			if len(problems) == 0 {
				t.Fatal("Parse returned neither a plan nor a problem")
			}
			return
		}
		checkProblems(t, "Validate", plan.Validate(p, cat))
	})
}

func checkProblems(tb testing.TB, stage string, problems plan.Problems) {
	tb.Helper()
	for _, p := range problems {
		if p.File != "fuzz.yaml" || p.Line < 1 || p.Col < 1 || p.Msg == "" {
			tb.Fatalf("%s reported a problem without a place or a message: %#v", stage, p)
		}
	}
	sorted := slices.IsSortedFunc(problems, func(a, b plan.Problem) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Col - b.Col
	})
	if !sorted {
		tb.Fatalf("%s returned problems out of order: %v", stage, problems)
	}
}
