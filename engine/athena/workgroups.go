package athena

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/quiltq/quiltq/engine"
)

// Workgroup is an Athena workgroup a user may run queries in: enabled, and
// with a result location.
type Workgroup struct {
	Name        string
	Description string
	// OutputLocation is where results are written, s3://bucket/prefix/.
	OutputLocation string
	// Enforced means the workgroup's settings override the client's.
	Enforced bool
	// Encryption is SSE_S3, SSE_KMS or CSE_KMS ("" for none); KMSKey its key.
	Encryption string
	KMSKey     string
	// Fallback, set by ChooseWorkgroup, says why this workgroup was taken
	// when none was named and several were usable; "" otherwise.
	Fallback string
	// BytesScannedCutoff is the workgroup's data usage control per query
	// (Configuration.BytesScannedCutoffPerQuery, "the upper data usage
	// limit (cutoff) for the amount of bytes a single query in a workgroup
	// is allowed to scan"); 0 when none is set. Athena cancels a query
	// that passes it (Athena User Guide, "Configure per-query and
	// per-workgroup data usage controls").
	BytesScannedCutoff int64 `json:",omitempty"`
}

// Skipped is a workgroup that discovery saw and set aside, and why.
type Skipped struct {
	Name   string
	Reason string
	// Err is the refusal or failure behind Reason, nil when the workgroup
	// was set aside for its settings (disabled, no result location).
	Err error
}

// Discovery settings, as the Quilt catalog uses them.
const (
	listPageSize      = 50
	describeParallel  = 10
	discoveryAttempts = 3
	backoffBase       = 200 * time.Millisecond
)

// Workgroups discovers the workgroups the caller may use, as the Quilt
// catalog does: every name ListWorkGroups gives (paged), then GetWorkGroup
// on each, at most 10 at a time, keeping the enabled ones that have a
// result location. A workgroup the caller may not describe is skipped
// after exactly one call (accounts hold many such workgroups by design);
// throttling and server errors are retried. Both lists are sorted by
// name. A refused or failed ListWorkGroups is the error.
func (c *Client) Workgroups(ctx context.Context) ([]Workgroup, []Skipped, error) {
	summaries, err := c.listWorkgroups(ctx)
	if err != nil {
		return nil, nil, err
	}
	type result struct {
		wg      Workgroup
		skipped *Skipped
	}
	results := make([]result, len(summaries))
	sem := make(chan struct{}, describeParallel)
	var wait sync.WaitGroup
	for i, s := range summaries {
		name := aws.ToString(s.Name)
		if s.State == types.WorkGroupStateDisabled {
			// The listing already says so: no call needed.
			results[i].skipped = &Skipped{Name: name, Reason: "disabled"}
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wait.Wait()
			return nil, nil, translate("get workgroup", ctx.Err())
		}
		wait.Add(1)
		go func() {
			defer wait.Done()
			defer func() { <-sem }()
			wg, skipped := c.describeWorkgroup(ctx, name)
			results[i] = result{wg, skipped}
		}()
	}
	wait.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, translate("get workgroup", err)
	}
	var kept []Workgroup
	var skipped []Skipped
	for _, r := range results {
		if r.skipped != nil {
			skipped = append(skipped, *r.skipped)
		} else {
			kept = append(kept, r.wg)
		}
	}
	sort.Slice(kept, func(i, j int) bool { return kept[i].Name < kept[j].Name })
	sort.Slice(skipped, func(i, j int) bool { return skipped[i].Name < skipped[j].Name })
	return kept, skipped, nil
}

// listWorkgroups drains ListWorkGroups.
func (c *Client) listWorkgroups(ctx context.Context) ([]types.WorkGroupSummary, error) {
	var all []types.WorkGroupSummary
	seen := map[string]bool{}
	var token *string
	for {
		var out *awsathena.ListWorkGroupsOutput
		err := c.retry(ctx, "list workgroups", func(ctx context.Context) error {
			var err error
			out, err = c.athena.ListWorkGroups(ctx, &awsathena.ListWorkGroupsInput{
				MaxResults: aws.Int32(listPageSize), NextToken: token,
			}, withErrorBody)
			return err
		})
		if err != nil {
			return nil, err
		}
		all = append(all, out.WorkGroups...)
		next := aws.ToString(out.NextToken)
		// A token seen before would page forever.
		if next == "" || seen[next] {
			return all, nil
		}
		seen[next] = true
		token = out.NextToken
	}
}

// describeWorkgroup reads one workgroup: either it is usable, or it is
// skipped with a reason.
func (c *Client) describeWorkgroup(ctx context.Context, name string) (Workgroup, *Skipped) {
	out, err := c.getWorkGroup(ctx, name)
	if err != nil {
		return Workgroup{}, &Skipped{Name: name, Reason: skipReason(err), Err: err}
	}
	return usable(out.WorkGroup, name)
}

// getWorkGroup is GetWorkGroup, throttling retried.
func (c *Client) getWorkGroup(ctx context.Context, name string) (*awsathena.GetWorkGroupOutput, error) {
	var out *awsathena.GetWorkGroupOutput
	err := c.retry(ctx, "get workgroup "+name, func(ctx context.Context) error {
		var err error
		out, err = c.athena.GetWorkGroup(ctx, &awsathena.GetWorkGroupInput{WorkGroup: aws.String(name)}, withErrorBody)
		return err
	})
	return out, err
}

// usable checks a described workgroup.
func usable(w *types.WorkGroup, name string) (Workgroup, *Skipped) {
	if w == nil {
		return Workgroup{}, &Skipped{Name: name, Reason: "Athena returned no description of it"}
	}
	if w.State == types.WorkGroupStateDisabled {
		return Workgroup{}, &Skipped{Name: name, Reason: "disabled"}
	}
	wg := workgroupOf(w, name)
	if wg.OutputLocation == "" {
		return Workgroup{}, &Skipped{Name: name, Reason: "no query result location (OutputLocation) is set"}
	}
	return wg, nil
}

// workgroupOf reads what a workgroup's description says; name stands in
// for a description that names none.
func workgroupOf(w *types.WorkGroup, name string) Workgroup {
	wg := Workgroup{Name: name}
	if w == nil {
		return wg
	}
	if n := aws.ToString(w.Name); n != "" {
		wg.Name = n
	}
	wg.Description = aws.ToString(w.Description)
	if cfg := w.Configuration; cfg != nil {
		wg.Enforced = aws.ToBool(cfg.EnforceWorkGroupConfiguration)
		wg.BytesScannedCutoff = aws.ToInt64(cfg.BytesScannedCutoffPerQuery)
		if rc := cfg.ResultConfiguration; rc != nil {
			wg.OutputLocation = aws.ToString(rc.OutputLocation)
			if ec := rc.EncryptionConfiguration; ec != nil {
				wg.Encryption = string(ec.EncryptionOption)
				wg.KMSKey = aws.ToString(ec.KmsKey)
			}
		}
	}
	return wg
}

// skipReason says in a few words why describing a workgroup failed.
func skipReason(err error) string {
	switch engine.KindOf(err) {
	case engine.Denied:
		return "access denied (athena:GetWorkGroup)"
	case engine.Throttled:
		return fmt.Sprintf("throttled %d times in a row (%s)", discoveryAttempts, errorMessage(err))
	case engine.Credentials:
		return "credentials refused (" + errorMessage(err) + ")"
	case engine.NotFound:
		return "not found"
	case engine.Invalid:
		return "refused as an invalid request (" + errorMessage(err) + ")"
	}
	return errorMessage(err)
}

// errorMessage is the short message of err: the AWS message when there is
// one, else the error's text.
func errorMessage(err error) string {
	var re *ReplyError
	if errors.As(err, &re) {
		return re.Error()
	}
	if api := apiError(err); api != nil {
		return api.ErrorCode() + ": " + api.ErrorMessage()
	}
	return err.Error()
}

// retry makes call up to discoveryAttempts times while it fails with a
// transient error (throttling, 5xx, a broken connection), sleeping about
// 200 ms·2^n plus jitter between attempts. The catalog learned the need:
// throttling during login once read as "Workgroup not found".
func (c *Client) retry(ctx context.Context, op string, call func(context.Context) error) error {
	for attempt := 0; ; attempt++ {
		err := call(ctx)
		if err == nil {
			return nil
		}
		if attempt+1 >= discoveryAttempts || !transient(err) || ctx.Err() != nil {
			return translate(op, err)
		}
		if err := c.opts.Sleep(ctx, backoff(attempt)); err != nil {
			return translate(op, err)
		}
	}
}

// backoff is the wait before retry n+1: 200 ms·2^n, plus up to half again
// at random so that parallel callers do not retry in step.
func backoff(n int) time.Duration {
	d := backoffBase << n
	return d + rand.N(d/2)
}

// ChooseWorkgroup picks the workgroup to run queries in. With a name, it
// is that workgroup (matched case-insensitively; by its exact name when
// the role may not list workgroups), or an error saying why it cannot be
// used: a configured workgroup wins. Without one it is the first usable
// workgroup in sorted order, the Quilt catalog's own fallback when no
// workgroup is asked for, stored or preferred
// (quiltdata/quilt, catalog/app/containers/Queries/Athena/model/requests.ts:
// useWorkgroup takes workgroups.data.list[0] of the list fetchWorkgroups
// sorts). When several were usable, the workgroup's Fallback says so and
// names them, for the caller to tell the user. No usable workgroup is an
// error listing every workgroup seen and why it was set aside.
func (c *Client) ChooseWorkgroup(ctx context.Context, name string) (Workgroup, error) {
	const op = "choose workgroup"
	kept, skipped, err := c.Workgroups(ctx)
	if err != nil {
		if name != "" && engine.KindOf(err) == engine.Denied {
			// A role may describe its workgroup without listing them all.
			wg, skip := c.describeWorkgroup(ctx, name)
			if skip == nil {
				return wg, nil
			}
			return Workgroup{}, skippedError(op, name, *skip, nil)
		}
		return Workgroup{}, err
	}
	if name != "" {
		for _, wg := range kept {
			if strings.EqualFold(wg.Name, name) {
				return wg, nil
			}
		}
		for _, s := range skipped {
			if strings.EqualFold(s.Name, name) {
				return Workgroup{}, skippedError(op, s.Name, s, kept)
			}
		}
		return Workgroup{}, &engine.Error{Op: op, Kind: engine.NotFound, Err: fmt.Errorf(
			"there is no workgroup %q in this account and region%s", name, usableList(kept))}
	}
	if len(kept) == 0 {
		return Workgroup{}, noneUsable(op, skipped)
	}
	wg := kept[0] // Workgroups sorts them by name
	if len(kept) > 1 {
		names := make([]string, len(kept))
		for i, k := range kept {
			names[i] = k.Name
		}
		wg.Fallback = fmt.Sprintf("%d workgroups are usable (%s) and none is configured: %s is the first in sorted order, as the Quilt catalog chooses; name another with -w or the profile's workgroup setting",
			len(kept), strings.Join(names, ", "), wg.Name)
	}
	return wg, nil
}

// skippedError explains why the named workgroup cannot be used.
func skippedError(op, name string, s Skipped, kept []Workgroup) error {
	kind := engine.Invalid
	if s.Err != nil {
		kind = engine.KindOf(s.Err)
	}
	return &engine.Error{Op: op, Kind: kind, Err: &skipError{
		text: fmt.Sprintf("workgroup %s cannot be used: %s%s", name, s.Reason, usableList(kept)), err: s.Err}}
}

// skipError keeps the refusal behind a skipped workgroup reachable.
type skipError struct {
	text string
	err  error
}

func (e *skipError) Error() string { return e.text }
func (e *skipError) Unwrap() error { return e.err }

func usableList(kept []Workgroup) string {
	if len(kept) == 0 {
		return ""
	}
	names := make([]string, len(kept))
	for i, wg := range kept {
		names[i] = wg.Name
	}
	return "; usable: " + strings.Join(names, ", ")
}

// noneUsable is the error when discovery kept nothing: every workgroup
// seen, why it was set aside, and what to do.
func noneUsable(op string, skipped []Skipped) error {
	var b strings.Builder
	denied := 0
	if len(skipped) == 0 {
		b.WriteString("no Athena workgroup is visible to this role in this region")
	} else {
		fmt.Fprintf(&b, "none of the %d workgroups this role can see is usable:", len(skipped))
		for _, s := range skipped {
			fmt.Fprintf(&b, "\n  %s: %s", s.Name, s.Reason)
			if engine.KindOf(s.Err) == engine.Denied {
				denied++
			}
		}
	}
	b.WriteString("\nnext step: ask your AWS administrator for a workgroup with a query result location that your role may use " +
		"(Quilt's is QuiltUserAthena-<stack>-NonManagedRoleWorkgroup: athena:GetWorkGroup and athena:StartQueryExecution on it), " +
		"then name it in the profile's workgroup setting")
	kind := engine.NotFound
	if denied > 0 && denied == len(skipped) {
		kind = engine.Denied
	}
	return &engine.Error{Op: op, Kind: kind, Err: errors.New(b.String())}
}
