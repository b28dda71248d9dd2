package plan

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Refusal codes: why a command was not accepted.
const (
	CodeNotAuthorized    = "not_authorized"    // the actor lacks the role
	CodeAlreadyDone      = "already_done"      // the step is finished
	CodeAwaitingApproval = "awaiting_approval" // someone else must approve first
	CodeBlocked          = "blocked"           // earlier steps must finish first
	CodeInvalid          = "invalid"           // bad input
	CodeSelfApproval     = "self_approval"     // the requester cannot approve
	CodeExpired          = "expired"           // the approval window passed
	CodeWrongState       = "wrong_state"       // not possible in the step's or run's state
	CodeNotFound         = "not_found"         // unknown step, service or role
)

// Refusal is the domain error: a command the plan does not allow, with a
// user-safe message in both languages. Adapters show it ephemerally.
type Refusal struct {
	Code string
	Msg  Text
}

func (r *Refusal) Error() string { return r.Code + ": " + r.Msg.In("en") }

// AsRefusal returns the refusal inside err, if any.
func AsRefusal(err error) (*Refusal, bool) {
	var r *Refusal
	ok := errors.As(err, &r)
	return r, ok
}

func refuse(code, es, en string, args ...any) *Refusal {
	return &Refusal{Code: code, Msg: Text{ES: fmt.Sprintf(es, args...), EN: fmt.Sprintf(en, args...)}}
}

// hhmm formats a time for refusals ("a las 14:05 UTC").
func hhmm(t time.Time) string { return t.UTC().Format("15:04") + " UTC" }

// roleNames renders role ids as their names, joined.
func (p *Plan) roleNames(ids []string, lang string) string {
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		if rl, ok := p.Role(id); ok {
			names = append(names, rl.Name.In(lang))
		} else {
			names = append(names, id)
		}
	}
	sep := " o "
	if lang == "en" {
		sep = " or "
	}
	return strings.Join(names, sep)
}

func (p *Plan) notYourRole(roles []string) *Refusal {
	return &Refusal{Code: CodeNotAuthorized, Msg: Text{
		ES: "No tiene el rol necesario: este paso corresponde a " + p.roleNames(roles, "es") + ".",
		EN: "You do not hold the role this needs: it belongs to " + p.roleNames(roles, "en") + ".",
	}}
}

// RefusalEvent is the timeline record of a refused command: refusals are
// evidence too.
func RefusalEvent(c Command, ref *Refusal, at time.Time) Event {
	return newEvent(c.Actor(), at, EventCommandRefused, CommandRefused{
		Command: c.Name(), Step: stepOf(c), Code: ref.Code, Reason: ref.Msg.In("es"),
	})
}
