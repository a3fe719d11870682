package ui

import (
	"strings"
	"testing"
)

// roRefusal stands for the session's refusal of a write by a read_only
// profile, which the workbench knows by its ReadOnlyProfile method.
type roRefusal struct{}

func (roRefusal) Error() string {
	return `refused before sending: profile "safe" is read_only, and this statement drops table t`
}
func (roRefusal) ReadOnlyProfile() string { return "safe" }

// A write a read_only profile refuses is not sent, and is said as that
// refusal: no explanation panel, no fix to work out.
func TestReadOnlyRefusalNotSent(t *testing.T) {
	eng := &scriptEngine{}
	m := model(eng, 100, 30, func(*Config) {})
	m.cfg.Check = func(string) error { return roRefusal{} }
	m = runSQL(t, m, "DROP TABLE t")
	if q := m.status.Query(); q.State != "REFUSED" || q.Note != "not sent: profile safe is read_only" {
		t.Errorf("status %+v, want REFUSED, not sent for the read_only profile", q)
	}
	if n := len(eng.sentSQL()); n != 0 {
		t.Errorf("%d queries sent, want none", n)
	}
	if v := m.Render(); !strings.Contains(v, "is read_only") || m.focus == focusExplain {
		t.Errorf("the grid does not say why, or the explanation took focus:\n%s", v)
	}
}
