package mattermost

import (
	"slices"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
)

var testStores = []struct {
	name string
	open func(testing.TB) storage.Store
}{
	{"sqlite", sqliteStore},
	{"postgres", postgresStore},
}

// TestQuipuxRunEndToEnd runs the seed's plan from activation to close
// over the HTTP endpoints, as Mattermost would drive them, on each store.
func TestQuipuxRunEndToEnd(t *testing.T) {
	for _, st := range testStores {
		t.Run(st.name, func(t *testing.T) {
			f := setup(t, "quipux.yaml", st.open(t))
			quipuxRun(t, f)
		})
	}
}

func quipuxRun(t *testing.T, f *fixture) {
	leader := f.users["ana.paredes"]
	runID := f.activate(t, leader, []any{"quipux"})
	chID := f.runChannel(t, runID)
	run := f.mm.ChannelByName(f.team.Id, strings.ToLower(runID))

	t.Run("channel has the role holders and a pinned header", func(t *testing.T) {
		members := f.mm.Members(chID)
		for name := range f.users {
			if name != "zoe.extrana" && !slices.Contains(members, name) {
				t.Errorf("%s is not in %s (members %v)", name, run.Name, members)
			}
		}
		posts := f.mm.Posts(chID)
		if len(posts) < 2 || !posts[0].IsPinned || !strings.Contains(posts[0].Attachments()[0].Title, runID) {
			t.Fatalf("want a pinned header first, got %d posts", len(posts))
		}
	})

	res := f.command(t, f.users["gabriela.ortiz"], run, "nota El proveedor confirma la pérdida del enlace")
	if !strings.Contains(res.Response.Text, runID) {
		t.Fatalf("nota answered %q", res.Response.Text)
	}

	steps := 0
	for ; steps < 1000; steps++ {
		r := f.load(t, runID)
		it := nextOpen(r)
		if it == nil {
			break
		}
		before := it.Status
		text := ""
		switch {
		case it.Status == plan.StatusRunning:
			// A worker reports the action's result.
			if _, err := f.bot.Execute(f.ctx, runID, plan.ActionFinished{Step: it.Key, OK: true, Message: "ok", Attempt: 1}, "worker:"+it.Key); err != nil {
				t.Fatal(err)
			}
		case it.Status == plan.StatusAwaitingApproval:
			text = f.press(t, approver(t, f, r, it), chID, bot.ButtonApprove, it.Key, "")
		case it.Step.Priorities:
			text = f.press(t, f.person(t, it.Step.Owner, ""), chID, bot.ButtonPriorities, it.Key, "")
		case it.Step.Kind == plan.KindManual || it.Step.Kind == plan.KindApproval:
			text = f.press(t, f.person(t, it.Step.Owner, ""), chID, bot.ButtonDone, it.Key, "")
		default:
			text = f.press(t, f.person(t, it.Step.Owner, ""), chID, bot.ButtonRun, it.Key, "")
		}
		f.flush(t)
		after, _ := f.load(t, runID).Item(it.Key)
		if after.Status == before {
			t.Fatalf("step %s (%s) stayed %s; answer %q", it.Key, it.Step.Kind, before, text)
		}
	}
	if steps == 0 {
		t.Fatal("the run had no steps")
	}
	t.Logf("%d checklist steps driven through the HTTP endpoints", steps)

	res = f.command(t, leader, run, "estado")
	if !strings.Contains(res.Response.Text, runID) {
		t.Fatalf("estado answered %q", res.Response.Text)
	}
	res = f.command(t, leader, run, "exportar csv")
	if !strings.Contains(res.Response.Text, "CSV") {
		t.Fatalf("exportar answered %q", res.Response.Text)
	}
	files := f.mm.Files()
	if len(files) != 1 || files[0].Info.ChannelId != chID || files[0].Info.PostId == "" || !strings.Contains(string(files[0].Content), runID) {
		t.Fatalf("export upload: %+v", files)
	}

	res = f.command(t, leader, run, "cerrar")
	if len(res.Response.Attachments) != 1 {
		t.Fatalf("cerrar answered %q without the confirmation button", res.Response.Text)
	}
	if text := f.press(t, leader, chID, bot.ButtonClose, "", ""); text != "" {
		t.Fatalf("closing answered %q", text)
	}
	f.flush(t)

	r := f.load(t, runID)
	if r.State() != plan.StateClosed {
		t.Fatalf("state %s after closing, want closed", r.State())
	}
	t.Run("timeline is chained and names the Mattermost users", func(t *testing.T) {
		v := plan.NewVerifier()
		users := map[string]bool{}
		for _, e := range f.events(t, runID) {
			if err := v.Add(e); err != nil {
				t.Fatal(err)
			}
			if e.Actor.Platform == Platform {
				users[e.Actor.Name] = true
				if u := f.users[e.Actor.Name]; u == nil || u.Id != e.Actor.UserID {
					t.Errorf("event %d: actor %+v is not a Mattermost user", e.Seq, e.Actor)
				}
			}
		}
		if len(users) < 3 {
			t.Errorf("only %d people acted: %v", len(users), users)
		}
	})
	t.Run("closed run has no buttons left", func(t *testing.T) {
		for _, p := range f.mm.Posts(chID) {
			for _, a := range p.Attachments() {
				if len(a.Actions) > 0 {
					t.Fatalf("post %q still has buttons", a.Title)
				}
			}
		}
	})
	t.Run("no ephemeral post was attempted through the API", func(t *testing.T) {
		for _, c := range f.mm.Calls() {
			if strings.Contains(c, "/posts/ephemeral") {
				t.Fatal(c)
			}
		}
	})
}

func nextOpen(r *plan.Run) *plan.Item {
	for _, it := range r.Items {
		if !it.Status.Finished() {
			return it
		}
	}
	return nil
}

// approver is someone who may approve it: a holder of an approving role
// other than the requester.
func approver(t *testing.T, f *fixture, r *plan.Run, it *plan.Item) *model.User {
	t.Helper()
	roles := it.Step.Approval
	if len(roles) == 0 {
		roles = r.Plan.Leaders
	}
	for _, role := range roles {
		rl, _ := r.Plan.Role(role)
		for _, pp := range rl.People {
			if pp.Mattermost != "" && pp.Mattermost != it.RequestedBy.Name {
				return f.users[pp.Mattermost]
			}
		}
	}
	t.Fatalf("no approver for %s", it.Key)
	return nil
}
