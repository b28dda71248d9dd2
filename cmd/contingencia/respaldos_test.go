package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRespaldosReportsWhatIsMissing(t *testing.T) {
	dir := t.TempDir()
	// A plan whose copies and documents point into dir: some present, some not.
	data, err := os.ReadFile("../../testdata/plans/small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(data), "/srv/respaldos", dir)
	planFile := filepath.Join(dir, "plan.yaml")
	if err := os.WriteFile(planFile, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"ovf/small/db.ova", "ovf/small/app.ova", "ovf/small/web/web.ovf", "bd/small/db.dump"} {
		path := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("copia"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"respaldos", "--plan", planFile}, &out, &errb); code != 0 {
		t.Fatalf("with every copy present: exit %d\n%s%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "4/4 listos") {
		t.Fatalf("table:\n%s", out.String())
	}
	if err := os.Remove(filepath.Join(dir, "bd/small/db.dump")); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run([]string{"respaldos", "--plan", planFile, "--lang", "en"}, &out, &errb); code != 1 {
		t.Fatalf("with the database backup missing: exit %d\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "Missing or stale:") || !strings.Contains(out.String(), "respaldo-bd") {
		t.Fatalf("table:\n%s", out.String())
	}
}
