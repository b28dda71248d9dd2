package plan_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/contingencia/contingencia/plan"
)

// TestChecklistGolden expands the Quipux plan for every service with both
// strategies and compares the checklist with testdata/golden (regenerate
// with -update): the order people will work in.
func TestChecklistGolden(t *testing.T) {
	p, err := plan.LoadFile("../testdata/plans/quipux.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, s := range p.Services {
		all = append(all, s.ID)
	}
	for _, tc := range []struct {
		name     string
		strategy plan.Strategy
		services []string
	}{
		{"quipux-checklist-ovf", plan.StrategyOVF, all},
		{"quipux-checklist-library", plan.StrategyLibrary, all},
		{"quipux-checklist-firmaec-quipux", plan.StrategyOVF, []string{"quipux", "firmaec"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			fmt.Fprintf(&b, "# %s, services %v, restore order %v\n", tc.strategy, tc.services, p.RestoreOrder(p.DefaultOrder(tc.services)))
			for i, it := range p.Expand(tc.services, tc.strategy, nil) {
				fmt.Fprintf(&b, "%3d %-9s %-42s owner=%s kind=%s services=%v\n", i+1, it.Phase, it.Key, it.Step.Owner, it.Step.Kind, it.Services)
			}
			path := filepath.Join("..", "testdata", "golden", tc.name+".txt")
			if *update {
				if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got := b.String(); got != string(want) {
				t.Fatalf("%s differs from the expansion (run with -update if intended):\n%s", path, firstDiff(string(want), got))
			}
		})
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\nwant %q\n got %q", i+1, a, b)
		}
	}
	return ""
}
