package actions

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Fact keys the executors use. They are stable identifiers; FactLabel
// gives the readable name.
const (
	FactTarget      = "target"       // inventory path acted upon
	FactExists      = "exists"       // "sí" / "no": the target VM exists
	FactPowerState  = "power_state"  // poweredOn, poweredOff, suspended
	FactHost        = "host"         // ESXi host of the VM
	FactPlacement   = "placement"    // cluster or resource pool
	FactDatastore   = "datastore"    // datastore name
	FactNetwork     = "network"      // port group name
	FactSnapshot    = "snapshot"     // snapshot name
	FactSnapshotAt  = "snapshot_at"  // snapshot creation time, RFC 3339
	FactCurrentSnap = "current_snap" // current snapshot name
	FactSource      = "source"       // copy or template a VM is made from
	FactSourceAt    = "source_at"    // modification time of the source, RFC 3339
)

var factLabels = map[string]string{
	FactTarget:      "destino",
	FactExists:      "existe",
	FactPowerState:  "estado de energía",
	FactHost:        "host",
	FactPlacement:   "clúster o pool",
	FactDatastore:   "datastore",
	FactNetwork:     "red",
	FactSnapshot:    "snapshot",
	FactSnapshotAt:  "fecha del snapshot",
	FactCurrentSnap: "snapshot actual",
	FactSource:      "origen",
	FactSourceAt:    "fecha del origen",
}

// FactLabel is the readable (Spanish) name of a fact key.
func FactLabel(key string) string {
	if l, ok := factLabels[key]; ok {
		return l
	}
	return key
}

// FactChange is one fact that differs between approval and execution.
type FactChange struct {
	Key      string
	Approved string // "" when the fact was absent
	Now      string // "" when the fact is gone
}

// StaleError says the world changed since a pre-flight was approved. It is
// always returned wrapped in Permanent.
type StaleError struct {
	Changes []FactChange
}

func (e *StaleError) Error() string {
	parts := make([]string, len(e.Changes))
	for i, c := range e.Changes {
		parts[i] = fmt.Sprintf("%s: era %s, ahora %s", FactLabel(c.Key), show(c.Approved), show(c.Now))
	}
	return "la situación cambió desde la aprobación (" + strings.Join(parts, "; ") + "); hace falta una nueva confirmación"
}

func show(v string) string {
	if v == "" {
		return "(nada)"
	}
	return "«" + v + "»"
}

// CompareFacts returns nil when now has the same facts as approved, or a
// permanent *StaleError naming every difference, in key order.
func CompareFacts(approved, now Preflight) error {
	keys := slices.Sorted(maps.Keys(approved.Facts))
	for k := range now.Facts {
		if _, ok := approved.Facts[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var changes []FactChange
	for _, k := range slices.Compact(keys) {
		a, n := approved.Facts[k], now.Facts[k]
		if a != n {
			changes = append(changes, FactChange{Key: k, Approved: a, Now: n})
		}
	}
	if len(changes) == 0 {
		return nil
	}
	return Permanent(&StaleError{Changes: changes})
}
