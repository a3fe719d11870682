package session

import (
	"errors"
	"testing"

	"github.com/quiltq/quiltq/engine"
)

// Only Athena refusing the workgroup itself makes the session choose
// again; the statement's own faults (a syntax error that mentions no
// workgroup, a table refused) do not.
func TestRefusesWorkgroup(t *testing.T) {
	e := func(k engine.Kind, text string) error {
		return &engine.Error{Op: "start query", Kind: k, Err: errors.New(text)}
	}
	tests := []struct {
		err  error
		want bool
	}{
		{e(engine.Invalid, "InvalidRequestException: WorkGroup QuiltUserAthena-x is not found."), true},
		{e(engine.NotFound, "InvalidRequestException: WorkGroup is not found"), true},
		{e(engine.Invalid, "InvalidRequestException: WorkGroup primary is disabled."), true},
		{e(engine.Invalid, "InvalidRequestException: No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input."), true},
		{e(engine.Denied, "AccessDeniedException: You are not authorized to perform: athena:StartQueryExecution on the resource. After your AWS administrator or you have updated your permissions, please try again."), true},
		{e(engine.Invalid, "InvalidRequestException: line 1:8: mismatched input 'FORM' expecting {<EOF>, ',', 'FROM'}"), false},
		{e(engine.Invalid, "InvalidRequestException: line 1:15: mismatched input 'workgroup'"), false},
		{e(engine.Denied, "AccessDeniedException: User: arn:aws:sts::1:assumed-role/R/u is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:1:table/sales/orders"), false},
		{e(engine.Throttled, "ThrottlingException: Rate exceeded for workgroup"), false},
		{nil, false},
	}
	for _, tc := range tests {
		if got := refusesWorkgroup(tc.err); got != tc.want {
			t.Errorf("refusesWorkgroup(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
