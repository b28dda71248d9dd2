package bot

import "github.com/contingencia/contingencia/plan"

// Origin is who sent a request, from where: adapters fill it from the
// verified platform request.
type Origin struct {
	Platform  string // slack, mattermost, shell
	UserID    string
	UserName  string
	ChannelID string
	// Delivery identifies this delivery on its platform (Slack trigger
	// id, Mattermost trigger id); retries of one delivery share it.
	Delivery string
	// Lang forces a language for the reply ("" = run's or bot's).
	Lang string
}

// Actor is the plan actor for the origin.
func (o Origin) Actor() plan.Actor {
	return plan.Actor{Platform: o.Platform, UserID: o.UserID, Name: o.UserName}
}

// Reply is what the adapter answers the person at once, privately.
type Reply struct {
	Text    string   // ephemeral text; empty = nothing to say
	Buttons []Button // ephemeral buttons (e.g. confirm closing)
	Form    *Form    // open the activation form (modal, dialog, prompt)
	File    *File    // upload this export to the run's channel
	RunID   string
	// Refused is set when the plan refused the request.
	Refused bool
}

// Form is the activation form: the same fields on every platform.
type Form struct {
	Drill      bool
	Lang       string
	Services   []Option // every service of the plan, in priority order
	Selected   []string // pre-selected service ids
	Strategies []Option
	Strategy   string // pre-selected strategy
	// Title, labels and help, already translated.
	Title, ServicesLabel, StrategyLabel, AssessmentLabel, AssessmentHint, DrillLabel, Submit, Cancel string
	Channel                                                                                          string // where the command was typed
}

// Option is one choice of a form field.
type Option struct {
	Value, Label string
}

// Activation is a submitted activation form.
type Activation struct {
	Services   []string
	Strategy   plan.Strategy
	Assessment string
	Drill      bool
	Channel    string
	Lang       string
}

// File is an export to upload.
type File struct {
	Name    string
	Title   string
	Content []byte
	Channel string // the run's channel on the requesting platform
}
