package shell

import (
	"strings"

	"github.com/contingencia/contingencia/bot"
)

// shown is a button on screen: what it is, where it is and its number.
type shown struct {
	num    int
	button bot.Button // the latest rendering: its Value carries the newest Seq
	where  string     // the row or part it belongs to, for the echo
	ref    string     // the message showing it
}

// numbering gives every button on screen a number, global to the terminal
// and stable while the button is shown: the same step's same button keeps
// its number across updates; a button that disappears releases its number
// and numbers are never reused, so a stale number cannot press another
// button. It is guarded by the Shell's mutex.
type numbering struct {
	next  int
	byID  map[string]*shown          // button identity → shown
	byNum map[int]*shown             // number → shown
	onRef map[string]map[string]bool // message ref → identities shown there
}

func newNumbering() *numbering {
	return &numbering{byID: map[string]*shown{}, byNum: map[int]*shown{}, onRef: map[string]map[string]bool{}}
}

// identity names a button independently of the sequence it was rendered at.
func identity(v bot.ButtonValue) string {
	return strings.Join([]string{v.RunID, string(v.Kind), v.Step}, "|")
}

// frame collects the buttons of one message while it is being rendered.
type frame struct {
	n   *numbering
	ref string
	ids map[string]bool
}

func (n *numbering) frame(ref string) *frame {
	return &frame{n: n, ref: ref, ids: map[string]bool{}}
}

// number returns the number of a button shown in this frame's message,
// assigning one when it is new.
func (f *frame) number(b bot.Button, where string) int {
	id := identity(b.Value)
	s, ok := f.n.byID[id]
	if !ok {
		f.n.next++
		s = &shown{num: f.n.next}
		f.n.byID[id] = s
		f.n.byNum[s.num] = s
	}
	s.button, s.where, s.ref = b, where, f.ref
	f.ids[id] = true
	return s.num
}

// commit records the frame's buttons as the ones its message shows now,
// releasing the numbers of buttons no message shows any more.
func (f *frame) commit() {
	old := f.n.onRef[f.ref]
	f.n.onRef[f.ref] = f.ids
	for id := range old {
		if !f.ids[id] {
			f.n.release(id)
		}
	}
}

// forget drops a message's buttons (an answered page or reply).
func (n *numbering) forget(ref string) {
	ids := n.onRef[ref]
	delete(n.onRef, ref)
	for id := range ids {
		n.release(id)
	}
}

// release drops a button's number unless another message still shows it.
func (n *numbering) release(id string) {
	s, ok := n.byID[id]
	if !ok {
		return
	}
	for ref, ids := range n.onRef {
		if ids[id] {
			s.ref = ref // still shown there
			return
		}
	}
	delete(n.byNum, s.num)
	delete(n.byID, id)
}

// find returns the button shown for a run, step and kind.
func (n *numbering) find(runID, step string, kind bot.ButtonKind) (*shown, bool) {
	s, ok := n.byID[identity(bot.ButtonValue{RunID: runID, Kind: kind, Step: step})]
	return s, ok
}
