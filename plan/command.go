package plan

// Command is something a person (or the bot, for action results) asks of
// a run. Decide turns it into events or a Refusal.
type Command interface {
	Name() string
	Actor() Actor
}

// By is the actor of a command; embedding it makes a type a Command.
type By struct{ Who Actor }

// Actor returns who issued the command.
func (b By) Actor() Actor { return b.Who }

// Declare activates the plan (seed §8.2) or starts a drill.
type Declare struct {
	By
	Services   []string
	Strategy   Strategy
	Assessment string
	Drill      bool
	Lang       string
	Platform   string
	Channel    string
}

// ConfirmPriorities is the leader confirming or reordering the services'
// priorities: the first step of both restore procedures (seed §9).
type ConfirmPriorities struct {
	By
	Step  string
	Order []string
}

// StartStep marks a manual step as in progress.
type StartStep struct {
	By
	Step string
}

// CompleteStep marks a manual step as done (or asks for its approval).
type CompleteStep struct {
	By
	Step string
}

// SkipStep skips a step with a reason.
type SkipStep struct {
	By
	Step   string
	Reason string
}

// RunStep runs an action or check step after the person confirmed it, or
// asks for approval first when the plan says so. Preflight is the dry-run
// summary shown to the approver.
type RunStep struct {
	By
	Step      string
	Preflight string
	Facts     map[string]string
}

// Schedule authorises steps for automatic restore: each runs by itself as
// soon as what it waits for is done (dependencies, earlier steps on its
// server), in priority order, after its approval when the plan asks for
// one.
type Schedule struct {
	By
	Steps []string
}

// RetryStep reopens a failed action or check and runs it again.
type RetryStep struct {
	By
	Step      string
	Preflight string
	Facts     map[string]string
}

// CancelAction stops a running action.
type CancelAction struct {
	By
	Step string
}

// Approve grants a pending approval (two-person rule).
type Approve struct {
	By
	Step string
}

// Reject denies a pending approval.
type Reject struct {
	By
	Step   string
	Reason string
}

// ActionStarted, ActionProgress and ActionFinished are reported by the
// workers that run actions; their actor is System.
type ActionStarted struct {
	Step    string
	Attempt int
	JobID   int64
	Message string
}

type ActionProgress struct {
	Step    string
	Percent int
	Message string
}

type ActionFinished struct {
	Step       string
	OK         bool
	Message    string
	Error      string
	DurationMS int64
	Attempt    int
	// Facts of the dry run made just before a scheduled action that was
	// approved without one (automatic restore).
	Facts map[string]string
}

// AddNote adds a note to the timeline.
type AddNote struct {
	By
	Text string
}

// AssignRole hands a role to someone for this run.
type AssignRole struct {
	By
	Role   string
	Person Person
	UserID string
}

// Acknowledge is a paged person acknowledging for a role.
type Acknowledge struct {
	By
	Role string
}

// RecordPage records a page, a delivery failure or an escalation made by
// the paging workers (actor System).
type RecordPage struct {
	Type EventType // page.sent, page.failed or page.escalated
	Page PageEvent
}

// Export records that someone exported the timeline.
type Export struct {
	By
	Format string
}

// RecordChannel records the run's channel created by an adapter.
type RecordChannel struct {
	By
	Channel ChannelCreated
}

// RecordMessage records where an adapter posted a part of the run.
type RecordMessage struct {
	Message MessagePosted
}

// RecordTeardown records the clean-up of a closed drill (actor System).
type RecordTeardown struct {
	Result DrillTornDown
}

// Close puts the services in production and ends the incident (seed §10).
type Close struct {
	By
	Reason string
}

// Abort ends a run that should not go on (a false alarm, a drill stopped).
type Abort struct {
	By
	Reason string
}

func (Declare) Name() string           { return "declare" }
func (ConfirmPriorities) Name() string { return "confirm_priorities" }
func (StartStep) Name() string         { return "start" }
func (CompleteStep) Name() string      { return "complete" }
func (SkipStep) Name() string          { return "skip" }
func (RunStep) Name() string           { return "run" }
func (Schedule) Name() string          { return "schedule" }
func (RetryStep) Name() string         { return "retry" }
func (CancelAction) Name() string      { return "cancel" }
func (Approve) Name() string           { return "approve" }
func (Reject) Name() string            { return "reject" }
func (ActionStarted) Name() string     { return "action_started" }
func (ActionProgress) Name() string    { return "action_progress" }
func (ActionFinished) Name() string    { return "action_finished" }
func (AddNote) Name() string           { return "note" }
func (AssignRole) Name() string        { return "assign" }
func (Acknowledge) Name() string       { return "acknowledge" }
func (RecordPage) Name() string        { return "page" }
func (Export) Name() string            { return "export" }
func (RecordChannel) Name() string     { return "channel" }
func (RecordMessage) Name() string     { return "message" }
func (RecordTeardown) Name() string    { return "teardown" }
func (Close) Name() string             { return "close" }
func (Abort) Name() string             { return "abort" }

func (ActionStarted) Actor() Actor  { return System }
func (ActionProgress) Actor() Actor { return System }
func (ActionFinished) Actor() Actor { return System }
func (RecordPage) Actor() Actor     { return System }
func (RecordMessage) Actor() Actor  { return System }
func (RecordTeardown) Actor() Actor { return System }

// stepOf returns the checklist key a command is about, if any.
func stepOf(c Command) string {
	switch c := c.(type) {
	case ConfirmPriorities:
		return c.Step
	case StartStep:
		return c.Step
	case CompleteStep:
		return c.Step
	case SkipStep:
		return c.Step
	case RunStep:
		return c.Step
	case RetryStep:
		return c.Step
	case CancelAction:
		return c.Step
	case Approve:
		return c.Step
	case Reject:
		return c.Step
	case ActionStarted:
		return c.Step
	case ActionProgress:
		return c.Step
	case ActionFinished:
		return c.Step
	}
	return ""
}
