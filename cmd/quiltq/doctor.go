package main

import (
	"context"
	"fmt"

	"github.com/quiltq/quiltq/engine/session"
	"github.com/quiltq/quiltq/ui/print"
	"github.com/quiltq/quiltq/ui/report"
)

// doctorFlags are the flags of doctor.
type doctorFlags struct {
	json  bool
	table string
}

// runDoctor runs `quiltq doctor [--json] [--table DB.TABLE]`: it probes
// what a Quilt user needs, in the order a session needs it, and reports
// what works, what is refused with the actions missing, and one statement
// that fixes all the refusals.
func runDoctor(ctx context.Context, g *globalFlags, df doctorFlags, st streams, getenv func(string) string) int {
	a := newApp(g, st, getenv)
	defer a.close()
	s, err := a.open(ctx)
	if err == nil {
		var rep session.Report
		if rep, err = s.Doctor(ctx, session.DoctorOptions{Table: df.table}); err == nil {
			return printDoctor(ctx, st, s, rep, df.json)
		}
	}
	return failed(st, "doctor", session.CredentialsCause(err))
}

// printDoctor prints the report (as JSON with asJSON) and returns the exit
// code it calls for.
func printDoctor(ctx context.Context, st streams, s *session.Session, rep session.Report, asJSON bool) int {
	if ctx.Err() != nil {
		fmt.Fprintln(st.Err, "quiltq doctor: interrupted")
		return exitInterrupted
	}
	if asJSON {
		if err := print.JSONLine(st.Out, rep); err != nil {
			fmt.Fprintf(st.Err, "quiltq doctor: %v\n", err)
			return exitFailed
		}
	} else {
		report.Doctor(st.Out, rep, s.RoleName())
	}
	code := exitOK
	for _, c := range rep.Checks {
		switch {
		case c.Check == "identity" && c.Status != session.ProbeOK:
			return exitCredentials
		case c.Status == session.ProbeRefused:
			code = exitDenied
		case c.Status == session.ProbeFailed && code == exitOK:
			code = exitFailed
		}
	}
	return code
}
