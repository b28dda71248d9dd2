package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
)

func testMeta(t *testing.T, newStore Factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	steps := []struct {
		name string
		meta storage.RunMeta
		want storage.RunSummary
	}{
		{"creation sets everything given",
			storage.RunMeta{PlanID: "quipux", PlanHash: "h1", State: "declared", Drill: true, Services: []string{"quipux", "correo"}},
			storage.RunSummary{PlanID: "quipux", PlanHash: "h1", State: "declared", Drill: true, Services: []string{"quipux", "correo"}}},
		{"empty metadata changes nothing", storage.RunMeta{},
			storage.RunSummary{PlanID: "quipux", PlanHash: "h1", State: "declared", Drill: true, Services: []string{"quipux", "correo"}}},
		{"non-zero fields update",
			storage.RunMeta{State: "restoring", Services: []string{"quipux"}},
			storage.RunSummary{PlanID: "quipux", PlanHash: "h1", State: "restoring", Drill: true, Services: []string{"quipux"}}},
	}
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			res := mustAppend(t, s, storage.AppendRequest{RunID: "r", ExpectedSeq: int64(i), Meta: st.meta,
				Events: []plan.Event{event(time.Duration(i)*time.Minute, "", "x")}})
			runs, err := s.ListRuns(ctx, storage.RunFilter{})
			if err != nil || len(runs) != 1 {
				t.Fatalf("ListRuns = %+v, %v", runs, err)
			}
			got := runs[0]
			want := st.want
			want.RunID, want.Events, want.HeadHash = "r", int64(i+1), res.Events[0].Hash
			want.CreatedAt, want.UpdatedAt = base.Truncate(time.Microsecond), res.Events[0].At
			if !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
				t.Fatalf("times %v/%v, want %v/%v", got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt)
			}
			got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			if !summaryEqual(got, want) {
				t.Fatalf("summary %+v, want %+v", got, want)
			}
		})
	}
}

func summaryEqual(a, b storage.RunSummary) bool {
	return a.RunID == b.RunID && a.PlanID == b.PlanID && a.PlanHash == b.PlanHash && a.State == b.State &&
		a.Drill == b.Drill && slices.Equal(a.Services, b.Services) && a.CreatedAt.Equal(b.CreatedAt) &&
		a.UpdatedAt.Equal(b.UpdatedAt) && a.Events == b.Events && a.HeadHash == b.HeadHash
}

func testListRuns(t *testing.T, newStore Factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	day := 24 * time.Hour
	runs := []struct {
		id    string
		at    time.Duration
		state string
		drill bool
	}{
		{"CONT-2026-0001", 0, "closed", true},
		{"CONT-2026-0002", 1 * day, "closed", false},
		{"CONT-2026-0003", 2 * day, "restoring", false},
		{"CONT-2026-0004", 3 * day, "restoring", true},
	}
	for _, r := range runs {
		mustAppend(t, s, storage.AppendRequest{RunID: r.id, Meta: storage.RunMeta{State: r.state, Drill: r.drill, PlanID: "quipux"},
			Events: []plan.Event{event(r.at, "", r.id)}})
	}
	yes, no := true, false
	tests := []struct {
		name   string
		filter storage.RunFilter
		want   []string
	}{
		{"everything, newest first", storage.RunFilter{}, []string{"CONT-2026-0004", "CONT-2026-0003", "CONT-2026-0002", "CONT-2026-0001"}},
		{"by state", storage.RunFilter{State: "closed"}, []string{"CONT-2026-0002", "CONT-2026-0001"}},
		{"drills only", storage.RunFilter{Drill: &yes}, []string{"CONT-2026-0004", "CONT-2026-0001"}},
		{"real runs only", storage.RunFilter{Drill: &no}, []string{"CONT-2026-0003", "CONT-2026-0002"}},
		{"since, inclusive", storage.RunFilter{Since: base.Add(2 * day).Truncate(time.Microsecond)}, []string{"CONT-2026-0004", "CONT-2026-0003"}},
		{"until, exclusive", storage.RunFilter{Until: base.Add(1 * day).Truncate(time.Microsecond)}, []string{"CONT-2026-0001"}},
		{"window and state", storage.RunFilter{Since: base.Add(day / 2), Until: base.Add(4 * day), State: "restoring", Drill: &no}, []string{"CONT-2026-0003"}},
		{"limit", storage.RunFilter{Limit: 2}, []string{"CONT-2026-0004", "CONT-2026-0003"}},
		{"one run by id", storage.RunFilter{RunID: "CONT-2026-0002"}, []string{"CONT-2026-0002"}},
		{"an unknown run id", storage.RunFilter{RunID: "CONT-1999-0001"}, nil},
		{"run id and a filter it fails", storage.RunFilter{RunID: "CONT-2026-0002", Drill: &yes}, nil},
		{"nothing matches", storage.RunFilter{State: "aborted"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ListRuns(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range got {
				ids = append(ids, r.RunID)
				if r.PlanID != "quipux" || r.Events != 1 {
					t.Fatalf("summary %+v", r)
				}
			}
			if !slices.Equal(ids, tt.want) {
				t.Fatalf("got %v, want %v", ids, tt.want)
			}
		})
	}
}

func testNextRunNumber(t *testing.T, newStore Factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	const n = 50
	var (
		mu  sync.Mutex
		got []int
		g   errgroup.Group
	)
	for range n {
		g.Go(func() error {
			v, err := s.NextRunNumber(ctx, 2026)
			mu.Lock()
			got = append(got, v)
			mu.Unlock()
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	for i, v := range got {
		if v != i+1 {
			t.Fatalf("numbers %v are not 1..%d, each once", got, n)
		}
	}
	if v, err := s.NextRunNumber(ctx, 2027); err != nil || v != 1 {
		t.Fatalf("first number of 2027 = %d, %v; want 1", v, err)
	}
}
