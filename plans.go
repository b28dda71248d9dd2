// Package contingencia holds what the binary embeds from the repository:
// the Quipux plan, the default for `demo` and for `serve` without --plan.
package contingencia

import _ "embed"

// DefaultPlanName is the name the embedded plan reports in positions.
const DefaultPlanName = "testdata/plans/quipux.yaml"

// DefaultPlan is the Quipux contingency plan (testdata/plans/quipux.yaml).
//
//go:embed testdata/plans/quipux.yaml
var DefaultPlan []byte
