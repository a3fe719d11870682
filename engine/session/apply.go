package session

import (
	"context"
	"errors"
	"fmt"

	"github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/engine/grants"
	"github.com/quiltq/quiltq/engine/iam"
)

// QueryFix works out the statement that fixes the whole statement stmt,
// refused with refusal: every permission it lacks, not only the one the
// refusal names. fix is the policy JSON ("" when no identity statement
// can fix it: then notes, or the refusal's own remedy, say who must act);
// notes say what could not be told.
func (s *Session) QueryFix(ctx context.Context, stmt Statement, refusal error) (fix string, notes []string, err error) {
	var checked *Refusal
	if errors.As(refusal, &checked) {
		// The check before sending worked it out already.
		if checked.Fix.Policy == nil {
			return "", checked.Needs.Notes, nil
		}
		return checked.Fix.Policy.JSON(), checked.Needs.Notes, nil
	}
	var local *grants.Refusal
	if errors.As(refusal, &local) && !local.ByIAM() {
		// The Quilt role's buckets or a rules file refused: their managers
		// change them, not an IAM statement.
		return "", []string{"no IAM statement changes this: the Quilt role's buckets are granted by a Quilt admin, a rules file by whoever keeps it"}, nil
	}
	d := explain.Parse(DeniedText(refusal))
	if IdentityCannotFix(d) {
		return "", nil, nil // no identity statement helps; the remedy says who acts
	}
	wf, err := s.WholeFix(ctx, stmt, d)
	if err != nil {
		return "", wf.Needs.Notes, err
	}
	notes = wf.Needs.Notes
	if !wf.Known {
		notes = append(notes, fmt.Sprintf("the role's policies are not known here (give --policy FILE): the statement allows all %d permissions the query needs", len(wf.Needs.Requirements)))
	}
	if wf.Fix.Policy == nil {
		return "", notes, nil
	}
	return wf.Fix.Policy.JSON(), notes, nil
}

// FixContext is what the session knows for building a fix statement from
// a refusal's text alone: the region, the account (once the caller is
// known), the workgroup and the default data catalog.
func (s *Session) FixContext() explain.Context {
	c := explain.Context{Partition: "aws", Region: s.aws.Region, Workgroup: s.WorkgroupName(), DataCatalog: s.settings.Catalog()}
	s.mu.Lock()
	arn := s.callerARN
	s.mu.Unlock()
	if a, err := iam.ParseARN(arn); err == nil {
		c.Account = a.Account
		if a.Partition != "" {
			c.Partition = a.Partition
		}
	}
	return c
}

// ApplyFix adds the policy statement fix to the role as an inline policy
// of its own, where quiltq may change the role (Options.Roles: only the
// embedded sandbox's), and makes the checks before sending see it. It
// returns what was done, in a sentence. Anywhere else it refuses: a real
// role is changed by its administrator, not by quiltq.
func (s *Session) ApplyFix(_ context.Context, fix string) (string, error) {
	known := s.Known()
	if s.opts.Roles == nil || known == nil || known.Role == "" {
		return "", errors.New("only the sandbox's roles can be changed from here: give the statement (y copies it) to your AWS administrator")
	}
	s.mu.Lock()
	s.fixes++
	name := fmt.Sprintf("quiltq-fix-%d", s.fixes)
	s.mu.Unlock()
	if err := s.opts.Roles.PutRolePolicy(known.Role, name, []byte(fix)); err != nil {
		return "", err
	}
	policies := s.opts.Roles.Policies(known.Role)
	s.mu.Lock()
	s.known.Documents = policies
	s.mu.Unlock()
	gc := s.grants
	gc.mu.Lock()
	if gc.policy != nil {
		gc.policy.Policies = policies
	}
	gc.mu.Unlock()
	return fmt.Sprintf("added policy %s to %s: run the query again", name, known.Source), nil
}
