package explain

import (
	"errors"
	"github.com/quiltq/quiltq/ui/internal/golden"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/quiltq/quiltq/engine"
	engexplain "github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/ui/keys"
	"github.com/quiltq/quiltq/ui/theme"
)

const glueRefusal = "AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/ReadWriteQuiltV2-sales-prod/analyst is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:123456789012:table/sales/orders because no identity-based policy allows the glue:GetTable action"

var fixCtx = engexplain.Context{Partition: "aws", Region: "us-east-1", Account: "123456789012", Workgroup: "wg"}

func newPanel(w, h int) Model {
	km := keys.Default()
	m := New(km.Results, km.Explain, theme.New(theme.Options{NoColor: true}))
	m.SetSize(w, h)
	m.Focus()
	return m
}

func press(m Model, k tea.KeyPressMsg) (Model, []tea.Msg) {
	m, cmd := m.Update(k)
	if cmd == nil {
		return m, nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, c())
		}
		return m, out
	}
	return m, []tea.Msg{msg}
}

var (
	keyD    = tea.KeyPressMsg{Code: 'd', Text: "d"}
	keyY    = tea.KeyPressMsg{Code: 'y', Text: "y"}
	keyDown = tea.KeyPressMsg{Code: tea.KeyDown}
	keyPgDn = tea.KeyPressMsg{Code: tea.KeyPgDown}
)

func TestGoldenViews(t *testing.T) {
	m := newPanel(76, 12)
	golden.Check(t, "empty-76x12.txt", ansi.Strip(m.View()))

	m.Set(AWS, "q-123", errors.New(glueRefusal), fixCtx)
	golden.Check(t, "aws-76x12.txt", ansi.Strip(m.View()))
	m.SetQueryFix(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["athena:StartQueryExecution", "glue:GetTable"], "Resource": "*"}]}`, []string{"the role's policies are not known here"}, nil)
	m, _ = press(m, keyPgDn)
	golden.Check(t, "aws-wholefix-paged-76x12.txt", ansi.Strip(m.View()))

	l := newPanel(60, 8)
	l.Set(Local, "", errors.New("the Quilt role ReadOnlyQuilt does not grant bucket nextflowtower"), fixCtx)
	golden.Check(t, "local-60x8.txt", ansi.Strip(l.View()))

	d := newPanel(60, 10)
	d.SetDoctorRunning()
	golden.Check(t, "doctor-running-60x10.txt", ansi.Strip(d.View()))
	d.SetDoctor("quiltq doctor: arn:aws:sts::1:assumed-role/r/ana\n\nCHECK     RESULT   DETAIL\nidentity  ok\nquery     refused  refused: athena:StartQueryExecution\n", "", nil)
	golden.Check(t, "doctor-done-60x10.txt", ansi.Strip(d.View()))
}

func TestRefusalIsReadIntoFields(t *testing.T) {
	m := newPanel(200, 40)
	m.Set(AWS, "q-123", errors.New(glueRefusal), fixCtx)
	text := ansi.Strip(strings.Join(m.Lines(), "\n"))
	for _, want := range []string{
		"Refused by AWS · query q-123",
		"missing    glue:GetTable",
		"principal  arn:aws:sts::123456789012:assumed-role/ReadWriteQuiltV2-sales-prod/analyst",
		"(no statement allows it)",
		"The statement that fixes it (y copies it):",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the panel lacks %q:\n%s", want, text)
		}
	}
	if m.Empty() || !strings.Contains(m.Fix(), "glue:GetTable") {
		t.Errorf("Empty %v, Fix %s", m.Empty(), m.Fix())
	}
	// The whole query's statement replaces the text's; an error keeps the
	// text's, with the reason.
	m.SetQueryFix("", nil, errors.New("describe workgroup: throttled"))
	if !strings.Contains(m.Fix(), "glue:GetTable") || !strings.Contains(strings.Join(m.Lines(), "\n"), "could not be worked out: describe workgroup: throttled") {
		t.Errorf("after a failed whole-query fix: fix %s", m.Fix())
	}
	m.SetQueryFix(`{"whole": true}`, nil, nil)
	if m.Fix() != `{"whole": true}` {
		t.Errorf("Fix = %s after the whole-query fix", m.Fix())
	}
}

func TestCopyPutsTheFixOnTheClipboard(t *testing.T) {
	m := newPanel(80, 10)
	if _, msgs := press(m, keyY); msgs != nil {
		t.Fatalf("y with nothing explained gave %v, want nothing", msgs)
	}
	m.Set(AWS, "q", errors.New(glueRefusal), fixCtx)
	_, msgs := press(m, keyY)
	if len(msgs) != 2 {
		t.Fatalf("y gave %v, want the clipboard and CopiedMsg", msgs)
	}
	if c, ok := msgs[1].(CopiedMsg); !ok || c.Bytes != len(m.Fix()) {
		t.Errorf("y reported %#v, want CopiedMsg of %d bytes", msgs[1], len(m.Fix()))
	}
	// Not focused: keys do nothing.
	m.Blur()
	if _, msgs := press(m, keyY); msgs != nil {
		t.Errorf("y on a blurred panel gave %v", msgs)
	}
}

func TestDoctorKey(t *testing.T) {
	m := newPanel(80, 10)
	m, msgs := press(m, keyD)
	if len(msgs) != 1 || msgs[0] != (DoctorRequestMsg{}) {
		t.Fatalf("d gave %v, want a DoctorRequestMsg", msgs)
	}
	m.SetDoctorRunning()
	if _, msgs := press(m, keyD); msgs != nil || !m.DoctorRunning() {
		t.Fatalf("d while the probes run gave %v, want nothing", msgs)
	}
	m.SetDoctor("", "", errors.New("context canceled"))
	if v := ansi.Strip(m.View()); !strings.Contains(v, "the probes did not finish: context canceled") {
		t.Errorf("a failed doctor run:\n%s", v)
	}
	// Unbound by the user: no hint, no request.
	km := keys.Default()
	if err := km.Remap(map[string][]string{"explain.doctor": nil}); err != nil {
		t.Fatal(err)
	}
	u := New(km.Results, km.Explain, theme.New(theme.Options{NoColor: true}))
	u.SetSize(80, 10)
	u.Focus()
	if _, msgs := press(u, keyD); msgs != nil || strings.Contains(ansi.Strip(u.View()), "doctor") {
		t.Errorf("with explain.doctor unbound: %v\n%s", msgs, ansi.Strip(u.View()))
	}
}

func TestScrollStaysInTheText(t *testing.T) {
	m := newPanel(60, 5)
	m.Set(AWS, "q", errors.New(glueRefusal), fixCtx)
	for i := 0; i < 200; i++ {
		m, _ = press(m, keyDown)
	}
	v := ansi.Strip(m.View())
	if lines := strings.Split(v, "\n"); len(lines) != 5 || strings.TrimSpace(lines[4]) == "" {
		t.Fatalf("scrolled past the end, the panel shows:\n%s", v)
	}
	m.Wheel(-1000)
	if m.top != 0 {
		t.Errorf("the wheel up left top at %d", m.top)
	}
}

var treeRefusals = []engine.ListError{
	{Item: "AwsDataCatalog", Action: "glue:GetDatabases", Kind: engine.Denied, Message: "MetadataException: User: arn:aws:sts::123456789012:assumed-role/ReadWriteQuiltV2-sales-prod/analyst is not authorized to perform: glue:GetDatabases on resource: arn:aws:glue:us-east-1:123456789012:catalog because no identity-based policy allows the glue:GetDatabases action"},
	{Item: "quilt-sales-prod-tabulator", Action: "lambda:InvokeFunction", Kind: engine.Denied, Message: "MetadataException: User: arn:aws:sts::123456789012:assumed-role/ReadWriteQuiltV2-sales-prod/analyst is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:quilt-sales-prod-tabulator because no identity-based policy allows the lambda:InvokeFunction action"},
}

// With no query refused, the panel lists the tree's refusals: the cursor
// picks one, enter asks for it to be explained, and esc (Close) goes back
// to the list; over a query's refusal, back to the query's.
func TestTreeRefusals(t *testing.T) {
	m := newPanel(76, 10)
	m.SetTree(treeRefusals)
	golden.Check(t, "tree-list-76x10.txt", ansi.Strip(m.View()))
	m, _ = press(m, keyDown)
	m, msgs := press(m, tea.KeyPressMsg{Code: tea.KeyEnter})
	open, ok := msgs[0].(OpenMsg)
	if len(msgs) != 1 || !ok || open.Item.Action != "lambda:InvokeFunction" {
		t.Fatalf("enter on the second refusal gave %v, want it opened", msgs)
	}
	m.SetListing(open.Item, fixCtx)
	golden.Check(t, "tree-lambda-76x10.txt", ansi.Strip(m.View()))
	if !m.Overlay() || !strings.Contains(m.Fix(), "lambda:InvokeFunction") {
		t.Fatalf("a tree refusal: overlay %v, fix %s", m.Overlay(), m.Fix())
	}
	m.Close()
	if !m.Empty() || !strings.Contains(ansi.Strip(m.View()), "▸ ✗ quilt-sales-prod-tabulator") {
		t.Fatalf("esc did not go back to the list:\n%s", ansi.Strip(m.View()))
	}
	// Over a query's refusal: the query's comes back, and its whole-query
	// fix, arriving meanwhile, lands on it.
	m.Set(AWS, "q-1", errors.New(glueRefusal), fixCtx)
	m.SetListing(treeRefusals[0], fixCtx)
	m.SetQueryFix(`{"whole": true}`, nil, nil)
	if strings.Contains(m.Fix(), "whole") || !strings.Contains(ansi.Strip(strings.Join(m.Lines(), "\n")), "esc goes back to the query's refusal") {
		t.Fatalf("the query's fix reached the tree refusal: %s", m.Fix())
	}
	m.Close()
	if m.Fix() != `{"whole": true}` {
		t.Errorf("after esc the panel shows %s, want the query's refusal with its whole-query fix", m.Fix())
	}
}

// The panel names the keys it offers, as the keymap binds them.
func TestKeysLine(t *testing.T) {
	km := keys.Default()
	if err := km.Remap(map[string][]string{"explain.apply": {"A"}}); err != nil {
		t.Fatal(err)
	}
	m := New(km.Results, km.Explain, theme.New(theme.Options{NoColor: true}))
	m.SetSize(100, 10)
	m.Set(AWS, "q", errors.New(glueRefusal), fixCtx)
	first := ansi.Strip(strings.Split(m.View(), "\n")[0])
	for _, want := range []string{"y copy the statement", "A apply it (sandbox only)", "d/f6 doctor"} {
		if !strings.Contains(first, want) {
			t.Errorf("the keys line %q lacks %q", first, want)
		}
	}
}

// An item that failed to list for another reason than a refusal (a
// Tabulator config that does not parse) is not called a refusal.
func TestTreeFailureIsNotARefusal(t *testing.T) {
	m := newPanel(76, 12)
	bad := engine.ListError{Item: "quilt-x-tabulator.bucket.t", Action: "tabulator:config", Kind: engine.Invalid, Message: "line 11: parser.format: \"tsv\" is not a format"}
	m.SetTree([]engine.ListError{bad})
	if v := ansi.Strip(m.View()); !strings.Contains(v, "✗ quilt-x-tabulator.bucket.t: tabulator:config failed") {
		t.Errorf("the list:\n%s", v)
	}
	m.SetListing(bad, fixCtx)
	v := ansi.Strip(m.View())
	if strings.Contains(v, "Refused") || strings.Contains(v, "AWS said") || !strings.Contains(v, "Not listed: quilt-x-tabulator.bucket.t") || m.Fix() != "" {
		t.Errorf("a config error is explained as a refusal (fix %q):\n%s", m.Fix(), v)
	}
}
