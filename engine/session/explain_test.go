package session_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/iam"
	"github.com/quiltq/quiltq/engine/session"
)

// A refusal met before any statement was sent is explained as a refused
// query's; what is no refusal, or no login at all, is not.
func TestExplainUnsent(t *testing.T) {
	refusal := errors.New("User: arn:aws:sts::123456789012:assumed-role/Analyst/alice is not authorized to perform: athena:GetWorkGroup on resource: arn:aws:athena:us-east-1:123456789012:workgroup/primary because no identity-based policy allows the athena:GetWorkGroup action")
	tests := []struct {
		name        string
		err         error
		ok          bool
		action      string // the refused action read from the text
		credentials bool
	}{
		{"a refusal", &engine.Error{Op: "choosing a workgroup", Kind: engine.Denied, Err: refusal}, true, "athena:GetWorkGroup", false},
		{"credentials refused", &engine.Error{Op: "choosing a workgroup", Kind: engine.Credentials, Err: errors.New("ExpiredToken: the security token included in the request is expired")}, true, "", true},
		{"no login at all", &engine.Error{Op: "login", Kind: engine.Credentials, Err: fmt.Errorf("profile default: %w", session.ErrNotLoggedIn)}, false, "", false},
		{"a failure", &engine.Error{Op: "choosing a workgroup", Kind: engine.Failed, Err: errors.New("connection reset")}, false, "", false},
		{"throttled", &engine.Error{Op: "choosing a workgroup", Kind: engine.Throttled, Err: errors.New("Rate exceeded")}, false, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// No session could be opened: the text alone is read.
			var s *session.Session
			e, ok := s.ExplainUnsent(context.Background(), []string{"SELECT 1", "SELECT 2"}, tt.err)
			if ok != tt.ok {
				t.Fatalf("ok: got %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			if e.Credentials != tt.credentials {
				t.Errorf("credentials: got %v, want %v", e.Credentials, tt.credentials)
			}
			if tt.action != "" && (len(e.Denial.Actions) == 0 || e.Denial.Actions[0] != tt.action) {
				t.Errorf("refused actions: got %q, want %s first", e.Denial.Actions, tt.action)
			}
			if tt.action != "" && e.Principal != "arn:aws:sts::123456789012:assumed-role/Analyst/alice" {
				t.Errorf("principal: got %q, want the one the refusal names", e.Principal)
			}
		})
	}
}

// NextStep gives one next step a front end prints after an error, and
// none where the error's own words already say what to do.
func TestNextStep(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string // a part of the step; "" for none
	}{
		{"no error", nil, ""},
		{"not logged in", fmt.Errorf("open: %w", session.ErrNotLoggedIn), ""},
		{"stopped", &engine.Error{Op: "query", Kind: engine.Canceled, Err: errors.New("interrupted")}, ""},
		{"max_scan", &session.ScanLimitError{ID: "q1", Limit: 1 << 20, Scanned: 2 << 20}, "raise the limit (--max-scan, max_scan)"},
		{"workgroup cutoff", &session.ScanLimitError{ID: "q1", WorkgroupCutoff: true}, "a workgroup with a higher limit"},
		{"refused", &engine.Error{Op: "query", Kind: engine.Denied, Err: errors.New("AccessDenied")}, "ask your AWS administrator"},
		{"credentials", &engine.Error{Op: "query", Kind: engine.Credentials, Err: errors.New("expired")}, "quiltq login"},
	} {
		got := session.NextStep(tc.err)
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%s: NextStep = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// The refusal's summary counts permissions as the pairs listed under it
// (an action on a resource), not as the actions of its missing line,
// and says so: 13 pairs may be 5 actions.
func TestRefusalSummaryCountsPairs(t *testing.T) {
	r := &session.Refusal{Role: "role R", Policies: "the sandbox's role R", Needs: session.Needs{Requirements: make([]iam.Requirement, 27)}, Gaps: make([]iam.Gap, 13)}
	want := "refused before sending: role R lacks 13 of the 27 permissions (action on resource) this statement needs (policies: the sandbox's role R); nothing was sent to Athena"
	if got := r.Summary(); got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
}
