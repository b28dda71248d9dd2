// Package vsphere runs the restore actions of a contingency plan on
// VMware vSphere with govmomi: deploy a server from its OVF/OVA copy,
// revert it to its "RollBack" snapshot, power it on or off, create a new VM
// "with similar characteristics" (clone a template or build one from the
// plan's spec) and verify its configuration against the plan.
//
// Every executor is idempotent: it looks at the inventory first and reports
// "already done" instead of acting twice. VMs the bot creates carry the run
// and step that made them (annotation and extraConfig contingencia.owner),
// reverts leave contingencia.revert: a re-delivered job recognises its own
// work, and a VM someone else put at a target is never deployed over. Every task is awaited with the
// job's context and its progress forwarded to the checklist. vSphere faults
// are classified with fault.Is/As into permanent errors (not found, no
// permission, insufficient resources…) and transient ones. Destructive
// executors implement actions.Planner: their pre-flight names the target,
// the host or cluster, the datastore, the current power state and the age
// of the snapshot or copy — the data that would be lost.
//
// In a drill every target is the drill copy of a server
// (<drill folder>/<name>-simulacro) on the plan's drill network, checked
// by actions.GuardDrill before anything is touched.
package vsphere
