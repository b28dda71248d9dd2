package bot

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/contingencia/contingencia/plan"
)

// A View is a run rendered for people, independent of any platform: a list
// of parts, each one message that adapters post once and update in place.
type View struct {
	RunID string
	Lang  string
	Parts []Part
}

// Part is one message of a run: the header, a slice of the checklist, or
// an approval request. Key is stable across renders.
type Part struct {
	Key     string
	Title   string
	Text    string // Markdown-ish text: *bold*, line breaks
	Rows    []Row
	Buttons []Button
	Pin     bool
	// Mentions are people the adapter names with the platform's mention
	// syntax before Text (pages in the run's channel).
	Mentions []plan.Person
}

// Row is one checklist line.
type Row struct {
	Key     string
	Icon    string
	Title   string
	Owner   string // role name
	Status  string
	Detail  string // who and when, reason, progress
	Buttons []Button
}

// ButtonKind is what a button does.
type ButtonKind string

const (
	ButtonStart      ButtonKind = "start"
	ButtonDone       ButtonKind = "done"
	ButtonSkip       ButtonKind = "skip"
	ButtonRun        ButtonKind = "run"
	ButtonRetry      ButtonKind = "retry"
	ButtonCancel     ButtonKind = "cancel"
	ButtonApprove    ButtonKind = "approve"
	ButtonReject     ButtonKind = "reject"
	ButtonPriorities ButtonKind = "priorities"
	ButtonAck        ButtonKind = "ack"
	ButtonClose      ButtonKind = "close"
	// ButtonAuto schedules every pending restore action and check of the
	// run for automatic restore (Step is the phase).
	ButtonAuto ButtonKind = "auto"
	// ButtonApproveAll approves every pending approval of automatic
	// restore at once (each is still recorded, and refused for its
	// requester).
	ButtonApproveAll ButtonKind = "approve_all"
)

var buttonKinds = map[ButtonKind]bool{ButtonStart: true, ButtonDone: true, ButtonSkip: true, ButtonRun: true, ButtonRetry: true,
	ButtonCancel: true, ButtonApprove: true, ButtonReject: true, ButtonPriorities: true, ButtonAck: true, ButtonClose: true, ButtonAuto: true, ButtonApproveAll: true}

// Button is an interactive button; Value travels back on a click.
type Button struct {
	Label   string
	Value   ButtonValue
	Style   string // "primary", "danger" or ""
	Confirm *Confirm
	// NeedsReason asks the adapter to collect a reason first (skip, reject).
	NeedsReason bool
}

// Confirm is the confirmation dialog a risky button shows before it fires.
type Confirm struct {
	Title, Text, OK, Cancel string
}

// ButtonValue identifies what a click is about. Seq is the run's sequence
// when the button was rendered: two clicks on the same rendered button are
// one delivery (a double click changes nothing twice).
type ButtonValue struct {
	RunID string
	Kind  ButtonKind
	Step  string // checklist key, or role id for ack
	Seq   int64
	// Reviewed is the digest of the dry-run facts the person saw before
	// pressing (run and retry buttons of a reviewed action), else "".
	Reviewed string
}

// String encodes the value for a platform's button payload.
func (v ButtonValue) String() string {
	f := []string{v.RunID, string(v.Kind), v.Step, strconv.FormatInt(v.Seq, 10)}
	if v.Reviewed != "" {
		f = append(f, v.Reviewed)
	}
	return strings.Join(f, "|")
}

// digestPattern is a review digest (factsDigest).
var digestPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

// MaxButtonValue is Slack's limit on a button value (2000 characters).
const MaxButtonValue = 2000

// ParseButtonValue decodes a button payload, rejecting anything the bot
// could not have rendered.
func ParseButtonValue(s string) (ButtonValue, error) {
	if len(s) > MaxButtonValue {
		return ButtonValue{}, fmt.Errorf("button value longer than %d bytes", MaxButtonValue)
	}
	f := strings.Split(s, "|")
	if len(f) != 4 && len(f) != 5 {
		return ButtonValue{}, fmt.Errorf("button value %q: want 4 or 5 fields", s)
	}
	seq, err := strconv.ParseInt(f[3], 10, 64)
	if err != nil || seq < 0 {
		return ButtonValue{}, fmt.Errorf("button value %q: bad sequence", s)
	}
	v := ButtonValue{RunID: f[0], Kind: ButtonKind(f[1]), Step: f[2], Seq: seq}
	if len(f) == 5 {
		if v.Kind != ButtonRun && v.Kind != ButtonRetry || !digestPattern.MatchString(f[4]) {
			return ButtonValue{}, fmt.Errorf("button value %q: bad review digest", s)
		}
		v.Reviewed = f[4]
	}
	if !runIDPattern.MatchString(v.RunID) {
		return ButtonValue{}, fmt.Errorf("button value %q: bad run id", s)
	}
	if !buttonKinds[v.Kind] {
		return ButtonValue{}, fmt.Errorf("button value %q: unknown kind", s)
	}
	return v, nil
}
