package plan

import "time"

// The event types of a run's timeline. Payload types are named after them.
const (
	EventRunDeclared         EventType = "run.declared"
	EventPrioritiesConfirmed EventType = "priorities.confirmed"
	EventStepStarted         EventType = "step.started"
	EventStepCompleted       EventType = "step.completed"
	EventStepSkipped         EventType = "step.skipped"
	EventStepReopened        EventType = "step.reopened"  // retry after a failure
	EventStepScheduled       EventType = "step.scheduled" // authorised to run when its dependencies are done
	EventApprovalRequested   EventType = "approval.requested"
	EventApprovalGranted     EventType = "approval.granted"
	EventApprovalRejected    EventType = "approval.rejected"
	EventActionQueued        EventType = "action.queued"
	EventActionStarted       EventType = "action.started"
	EventActionProgress      EventType = "action.progress"
	EventActionSucceeded     EventType = "action.succeeded"
	EventActionFailed        EventType = "action.failed"
	EventActionCancelled     EventType = "action.cancelled"
	EventNoteAdded           EventType = "note.added"
	EventRoleAssigned        EventType = "role.assigned"
	EventPageSent            EventType = "page.sent"
	EventPageFailed          EventType = "page.failed"
	EventPageAcknowledged    EventType = "page.acknowledged"
	EventPageEscalated       EventType = "page.escalated"
	EventCommandRefused      EventType = "command.refused"
	EventExported            EventType = "run.exported"
	EventChannelCreated      EventType = "run.channel_created"
	EventMessagePosted       EventType = "message.posted"
	EventDrillTornDown       EventType = "drill.torn_down"
	EventRunClosed           EventType = "run.closed"
	EventRunAborted          EventType = "run.aborted"
)

// RunDeclared opens a run (seed §8.2: assessment requested, plan activated).
type RunDeclared struct {
	PlanID     string    `json:"plan_id"`
	PlanHash   string    `json:"plan_hash"` // content hash of the plan file the run is bound to
	Services   []string  `json:"services"`
	Strategy   Strategy  `json:"strategy"`
	Assessment string    `json:"assessment"` // damage assessment text
	Drill      bool      `json:"drill"`
	Leader     string    `json:"leader_role"`
	Lang       string    `json:"lang,omitempty"`
	Platform   string    `json:"platform,omitempty"`
	Channel    string    `json:"channel,omitempty"`
	DeclaredAt time.Time `json:"declared_at"`
}

// PrioritiesConfirmed fixes the order in which services are restored.
type PrioritiesConfirmed struct {
	Step  string   `json:"step"`
	Order []string `json:"order"` // service ids, most critical first
}

// StepEvent is the payload of step.started, step.completed, step.reopened.
type StepEvent struct {
	Step string `json:"step"` // checklist item key, e.g. "restore-ovf/deploy@db-quipux"
}

// StepSkipped records a step skipped with its reason.
type StepSkipped struct {
	Step   string `json:"step"`
	Reason string `json:"reason"`
}

// ApprovalRequested asks a holder of one of Roles (not the requester) to
// approve a step; Preflight is what will happen, shown to the approver.
type ApprovalRequested struct {
	Step      string   `json:"step"`
	Roles     []string `json:"roles"`
	Preflight string   `json:"preflight,omitempty"`
	// Facts are what the preflight rests on, re-checked before executing:
	// if they changed since approval, the action refuses.
	Facts   map[string]string `json:"facts,omitempty"`
	Expires time.Time         `json:"expires,omitzero"`
	// Scheduled: once approved, the step waits for its dependencies and
	// then runs by itself (automatic restore), instead of running at once.
	Scheduled bool `json:"scheduled,omitempty"`
}

// ApprovalDecision is the payload of approval.granted and approval.rejected.
type ApprovalDecision struct {
	Step   string `json:"step"`
	Role   string `json:"role"` // the approving role the approver holds
	Reason string `json:"reason,omitempty"`
}

// ActionEvent is the payload of the action.* events.
type ActionEvent struct {
	Step     string `json:"step"`
	Action   string `json:"action"`
	Target   string `json:"target,omitempty"` // server or service id
	Attempt  int    `json:"attempt,omitempty"`
	Percent  int    `json:"percent,omitempty"`
	Message  string `json:"message,omitempty"`
	Error    string `json:"error,omitempty"`
	Duration int64  `json:"duration_ms,omitempty"`
	JobID    int64  `json:"job_id,omitempty"`
	// Facts of the preflight the person confirmed (queued without approval).
	Facts map[string]string `json:"facts,omitempty"`
}

// NoteAdded is a free-text note in the timeline.
type NoteAdded struct {
	Text string `json:"text"`
}

// RoleAssigned hands a role to someone for this run only.
type RoleAssigned struct {
	Role   string `json:"role"`
	Person Person `json:"person"`
	UserID string `json:"user_id"` // platform user id of the new holder
}

// PageEvent is the payload of the page.* events.
type PageEvent struct {
	Role    string `json:"role"`
	Person  string `json:"person"`
	UserID  string `json:"user_id,omitempty"`
	Channel string `json:"channel,omitempty"` // dm, channel, email, webhook
	Level   int    `json:"level,omitempty"`   // 0 = primary, 1.. = escalation link
	Error   string `json:"error,omitempty"`
}

// CommandRefused records a refused click or command: refusals are evidence too.
type CommandRefused struct {
	Command string `json:"command"`
	Step    string `json:"step,omitempty"`
	Code    string `json:"code"`
	Reason  string `json:"reason"`
}

// Exported records that someone exported the timeline.
type Exported struct {
	Format string `json:"format"`
}

// RunEnded is the payload of run.closed and run.aborted.
type RunEnded struct {
	Reason string `json:"reason,omitempty"`
}

// ChannelCreated records the run's dedicated channel on a platform.
type ChannelCreated struct {
	Platform string `json:"platform"`
	Channel  string `json:"channel"` // platform channel id
	Name     string `json:"name"`
}

// MessagePosted records where a part of the run's messages lives, so any
// replica can update it in place (and re-post it when it was deleted).
type MessagePosted struct {
	Platform string `json:"platform"`
	Part     string `json:"part"` // header, checklist part key, approval/…
	Channel  string `json:"channel"`
	Ref      string `json:"ref"` // Slack ts, Mattermost post id
}

// DrillTornDown records what a closed drill removed from the isolated
// target (seed-less practice: a drill leaves nothing behind).
type DrillTornDown struct {
	Removed []string `json:"removed"`
	Error   string   `json:"error,omitempty"`
}
