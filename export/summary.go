package export

import (
	"encoding/json"
	"time"
)

// Summary is what an export states about a run.
type Summary struct {
	RunID    string `json:"run_id"`
	PlanID   string `json:"plan_id"`
	PlanHash string `json:"plan_hash"`
	Drill    bool   `json:"drill"`
	Strategy string `json:"strategy,omitempty"`
	// Events is the number of events exported; Head the hash of the last.
	Events  int64     `json:"events"`
	Head    string    `json:"head"`
	FirstAt time.Time `json:"first_at"`
	LastAt  time.Time `json:"last_at"`
	// Ended is "closed" or "aborted" when the run has ended.
	Ended string `json:"ended,omitempty"`
	// ChainError names the first event whose hash chain does not verify;
	// nil when the whole chain verified.
	ChainError  *BadEvent    `json:"chain_error,omitempty"`
	GeneratedAt time.Time    `json:"generated_at"`
	Services    []Milestones `json:"services"`
	// PlanMismatch is set when the plan given to Write is not the version
	// the run was declared with (its hash differs).
	PlanMismatch bool `json:"plan_mismatch,omitempty"`
	// PlanMissing is set when no plan was given: phases and RTO targets
	// are unknown.
	PlanMissing bool `json:"plan_missing,omitempty"`
}

// BadEvent names the first event of a chain that does not verify.
type BadEvent struct {
	Seq    int64     `json:"seq"`
	Type   string    `json:"type,omitempty"`
	At     time.Time `json:"at,omitzero"`
	Reason string    `json:"reason"`
}

// RTOStatus says whether a service was restored within its RTO target.
type RTOStatus string

// The RTO statuses.
const (
	RTOMet     RTOStatus = "met"     // restored within the target
	RTOMissed  RTOStatus = "missed"  // restored late, or still not restored past the target
	RTOPending RTOStatus = "pending" // not restored yet, target not yet passed
	RTONone    RTOStatus = "unknown" // the plan gives no target (or no plan)
)

// Milestones are the per-service times of a run (see the package doc for
// their definitions). A zero time means "not reached".
type Milestones struct {
	Service        string
	Name           string // in the export's language, from the plan
	Priority       int
	Declared       time.Time
	RestoreStarted time.Time
	Restored       time.Time
	Verified       time.Time
	// RTO is the plan's target (0 when unknown); Achieved is
	// Restored − Declared when restored.
	RTO      time.Duration
	Achieved time.Duration
	Status   RTOStatus
	// RPO is the plan's target (0 when unknown). DataAt is the oldest
	// point in time the service's restored servers hold data up to (the
	// copy deployed, the snapshot reverted to, as the confirmed or
	// approved preflight stated it); DataLoss is Declared − DataAt.
	RPO       time.Duration
	DataAt    time.Time
	DataLoss  time.Duration
	RPOStatus RTOStatus
}

// MarshalJSON writes durations as Go duration strings ("4h0m0s").
func (m Milestones) MarshalJSON() ([]byte, error) {
	type out struct {
		Service        string    `json:"service"`
		Name           string    `json:"name,omitempty"`
		Priority       int       `json:"priority,omitempty"`
		Declared       time.Time `json:"declared"`
		RestoreStarted time.Time `json:"restore_started,omitzero"`
		Restored       time.Time `json:"restored,omitzero"`
		Verified       time.Time `json:"verified,omitzero"`
		RTO            string    `json:"rto_target,omitempty"`
		Achieved       string    `json:"rto_achieved,omitempty"`
		Status         RTOStatus `json:"rto_status"`
		RPO            string    `json:"rpo_target,omitempty"`
		DataAt         time.Time `json:"data_at,omitzero"`
		DataLoss       string    `json:"rpo_achieved,omitempty"`
		RPOStatus      RTOStatus `json:"rpo_status"`
	}
	o := out{
		Service: m.Service, Name: m.Name, Priority: m.Priority, Declared: m.Declared,
		RestoreStarted: m.RestoreStarted, Restored: m.Restored, Verified: m.Verified, Status: m.Status,
		DataAt: m.DataAt, RPOStatus: m.RPOStatus,
	}
	if m.RPO > 0 {
		o.RPO = m.RPO.String()
	}
	if !m.DataAt.IsZero() {
		o.DataLoss = m.DataLoss.String()
	}
	if m.RTO > 0 {
		o.RTO = m.RTO.String()
	}
	if !m.Restored.IsZero() {
		o.Achieved = m.Achieved.String()
	}
	return json.Marshal(o)
}
