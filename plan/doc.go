// Package plan is the domain of contingencia: the contingency plan as code
// (model, YAML loading with positions, validation), the run engine that turns
// commands into events and folds events into state, the checklist derived
// from both, and the hash chain that makes a run's timeline tamper-evident.
//
// It does no I/O and imports no adapter: storage, chat platforms and vSphere
// live at the edges and depend on this package, never the other way round.
package plan
