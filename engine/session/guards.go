package session

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/sqlref"
)

// This file holds the guards on cost and safety (issue 18), which every
// front end gets through the session: the scan limit quiltq enforces
// itself (max_scan), the workgroup's own limit explained when Athena
// cancels a query for it, result reuse, parameters, and what a statement
// changes (a read_only profile refuses writes; front ends ask before a
// destructive one).

// ScanLimitError is a query stopped for scanning more than a limit:
// quiltq's own (max_scan, --max-scan), which quiltq enforces by stopping
// the query, or the workgroup's BytesScannedCutoffPerQuery, which Athena
// enforces by cancelling it.
type ScanLimitError struct {
	ID        string
	Workgroup string
	Limit     int64 // bytes
	Scanned   int64 // bytes, as Athena reported last
	// Workgroups is true when Athena cancelled the query for its
	// workgroup's cutoff, false when quiltq stopped it for max_scan.
	WorkgroupCutoff bool
	// Stopped says the query ended CANCELLED; State is how it ended (a
	// query may finish before the stop reaches it).
	Stopped bool
	State   athena.State
	Cost    float64 // what the scan costs, in USD
}

func (e *ScanLimitError) Error() string {
	if e.WorkgroupCutoff {
		return fmt.Sprintf("Athena cancelled query %s: it passed workgroup %s's limit of %s a query (BytesScannedCutoffPerQuery = %d bytes), having scanned %s (%s)",
			e.ID, e.Workgroup, engine.FormatBytes(e.Limit), e.Limit, engine.FormatBytes(e.Scanned), engine.FormatUSD(e.Cost))
	}
	state := "stopped"
	switch {
	case e.State == athena.Succeeded || e.State == athena.Failed:
		state = "could not stop (it ended " + string(e.State) + " first)"
	case !e.Stopped:
		state = "asked Athena to stop"
	}
	return fmt.Sprintf("%s query %s: it scanned %s (%d bytes, %s), over the scan limit of %s (%d bytes, max_scan / --max-scan)",
		state, e.ID, engine.FormatBytes(e.Scanned), e.Scanned, engine.FormatUSD(e.Cost), engine.FormatBytes(e.Limit), e.Limit)
}

// Next is the next step after the stop, in one line.
func (e *ScanLimitError) Next() string {
	if e.WorkgroupCutoff {
		return "narrow the query (a partition filter, fewer columns), or run it in a workgroup with a higher limit (-w)"
	}
	return "narrow the query (a partition filter, fewer columns), or raise the limit (--max-scan, max_scan)"
}

// ScanLimitOf finds the ScanLimitError in err, nil when there is none.
func ScanLimitOf(err error) *ScanLimitError {
	var e *ScanLimitError
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// MaxScan is the scan limit of the session's queries, in bytes (0: none).
func (s *Session) MaxScan() int64 { return s.settings.MaxScan() }

// Reuse is how old a stored result Athena may answer the session's
// queries with (0: no reuse).
func (s *Session) Reuse() time.Duration { return s.settings.Reuse() }

// ScanCutoff is the chosen workgroup's BytesScannedCutoffPerQuery, 0 when
// it has none or no workgroup is chosen yet.
func (s *Session) ScanCutoff() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wg == nil {
		return 0
	}
	return s.wg.BytesScannedCutoff
}

// ScanLimit is the scan limit the session's queries run under: the
// smaller of max_scan and the chosen workgroup's cutoff, 0 for none.
func (s *Session) ScanLimit() int64 {
	a, b := s.MaxScan(), s.ScanCutoff()
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	}
	return min(a, b)
}

// waitGuarded follows query id as the engine's Wait does, and stops it as
// soon as a poll reports more scanned than limit (when limit > 0). The
// figure is GetQueryExecution's Statistics.DataScannedInBytes, which Wait
// reads anyway and which Athena updates while the query runs; the
// non-timeline figures of GetQueryRuntimeStatistics "are updated
// asynchronously and may not be available immediately ... or, in some
// cases, may not be returned" (the SDK's GetQueryRuntimeStatistics
// documentation), so they add a call and promise less.
//
// A query Athena cancelled for passing the workgroup's cutoff comes back
// as a *ScanLimitError too, with the cutoff.
func (s *Session) waitGuarded(ctx context.Context, id string, limit int64, progress func(athena.Execution)) (athena.Execution, error) {
	inner, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var over *ScanLimitError
	watch := func(x athena.Execution) {
		// Wait calls this on its own goroutine, one poll after another.
		if over == nil && limit > 0 && !x.State.Done() && x.DataScanned > limit {
			over = &ScanLimitError{ID: id, Workgroup: x.Workgroup, Limit: limit}
			cancel(over)
		}
		if progress != nil {
			progress(x)
		}
	}
	x, err := s.client.Wait(inner, id, watch)
	switch {
	case over != nil && ctx.Err() == nil:
		over.Scanned, over.Stopped, over.State = x.DataScanned, x.State == athena.Cancelled, x.State
		over.Workgroup = x.Workgroup
		over.Cost = engine.Cost(x.DataScanned, s.PricePerTB())
		return x, &engine.Error{Op: "scan limit", Kind: engine.Failed, Err: over}
	case err != nil && ctx.Err() == nil:
		if c := s.cutoffOf(x); c != nil {
			return x, &engine.Error{Op: "workgroup scan limit", Kind: engine.Failed, Err: c}
		}
	}
	return x, err
}

// cutoffOf says whether x was cancelled by Athena for passing its
// workgroup's BytesScannedCutoffPerQuery: CANCELLED with the reason
// Athena gives ("Bytes scanned limit was exceeded", as its users report
// it), or CANCELLED at or over the cutoff of the workgroup the session
// chose (Athena stops the query at the cutoff; the query was not stopped
// by quiltq, which asks ctx first).
func (s *Session) cutoffOf(x athena.Execution) *ScanLimitError {
	if x.State != athena.Cancelled {
		return nil
	}
	cutoff := int64(0)
	s.mu.Lock()
	if s.wg != nil && strings.EqualFold(s.wg.Name, x.Workgroup) {
		cutoff = s.wg.BytesScannedCutoff
	}
	s.mu.Unlock()
	byReason := strings.Contains(strings.ToLower(x.Reason), "bytes scanned limit")
	if !byReason && (cutoff == 0 || x.DataScanned < cutoff) {
		return nil
	}
	if cutoff == 0 {
		cutoff = x.DataScanned // Athena stops at the cutoff
	}
	return &ScanLimitError{ID: x.ID, Workgroup: x.Workgroup, Limit: cutoff, Scanned: x.DataScanned, WorkgroupCutoff: true, Stopped: true, State: x.State,
		Cost: engine.Cost(x.DataScanned, s.PricePerTB())}
}

// Placeholders counts the ? parameters of sql (outside strings, quoted
// names and comments).
func Placeholders(sql string) (int, error) {
	toks, err := sqlref.Lex(sql)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range toks {
		if t.Kind == sqlref.Param {
			n++
		}
	}
	return n, nil
}

// BindParams hands params to the statements of a script in order: each
// statement takes one for each of its ? placeholders. Every param must
// be taken, and every placeholder filled; otherwise the error says how
// many each side has.
func BindParams(stmts []string, params []string) ([][]string, error) {
	out := make([][]string, len(stmts))
	next := 0
	for i, sql := range stmts {
		n, err := Placeholders(sql)
		if err != nil {
			return nil, &engine.Error{Op: "parameters", Kind: engine.Invalid, Err: err}
		}
		if next+n > len(params) {
			return nil, &engine.Error{Op: "parameters", Kind: engine.Invalid, Err: fmt.Errorf(
				"the SQL has more ? placeholders than values: %d given with --param, statement %d alone needs %d; give one --param VALUE for each ?, in order", len(params), i+1, n)}
		}
		if n > 0 {
			out[i] = params[next : next+n]
		}
		next += n
	}
	if next < len(params) {
		return nil, &engine.Error{Op: "parameters", Kind: engine.Invalid, Err: fmt.Errorf(
			"%d --param values were given for %d ? placeholders: give one --param VALUE for each ?, in order", len(params), next)}
	}
	if err := checkParams(params, " given with --param"); err != nil {
		return nil, err
	}
	return out, nil
}

// ParamsWanted is how many values sql's ? placeholders want through
// ExecutionParameters, as Start counts them: 0 for a PREPARE, which keeps
// its ? for EXECUTE ... USING to fill, and -1 for SQL that does not lex
// (Athena says what is wrong with it). A front end asks for this many
// (the workbench); paramsMatch refuses a count that differs.
func ParamsWanted(sql string) int {
	toks, err := sqlref.Lex(sql)
	if err != nil {
		return -1
	}
	n := 0
	for i, t := range sqlref.Significant(toks) {
		if i == 0 && t.Is("prepare") {
			return 0
		}
		if t.Kind == sqlref.Param {
			n++
		}
	}
	return n
}

// CheckParam refuses, before anything is sent, a value for a ?
// placeholder that is not one SQL literal or simple expression: Athena
// fails the whole query with INVALID_PARAMETER_USAGE for it (an
// unterminated quote, two literals side by side, several values
// separated by commas). The error says what is wrong; the caller says
// which value it is.
func CheckParam(v string) error {
	toks, err := sqlref.Lex(v)
	if err != nil {
		var le *sqlref.Error
		if errors.As(err, &le) {
			return fmt.Errorf("%s at character %d: a value is one SQL literal with its quotes balanced, such as 'text' (a quote inside is doubled: 'it''s')", le.Msg, le.Col)
		}
		return err
	}
	toks = sqlref.Significant(toks)
	if len(toks) == 0 {
		return errors.New("it is empty: give a SQL literal such as 'text', 42 or NULL")
	}
	depth := 0
	for i, t := range toks {
		switch {
		case t.Kind == sqlref.Param:
			return errors.New("it holds a ? of its own: give the value itself, such as 'text' or 42")
		case t.IsOp(";"):
			return errors.New("it holds a ; : a value is one SQL literal or expression, not a statement")
		case t.IsOp("(") || t.IsOp("["):
			depth++
		case t.IsOp(")") || t.IsOp("]"):
			depth--
			if depth < 0 {
				return fmt.Errorf("its %s at character %d closes nothing: balance its brackets", t.Text, t.Col)
			}
		case t.IsOp(",") && depth == 0:
			return errors.New("it holds several values separated by a comma: give one value for each ?")
		case i > 0 && literal(t) && literal(toks[i-1]):
			return fmt.Errorf("it holds two values, %s and %s, side by side: give one value for each ?", toks[i-1].Text, t.Text)
		}
	}
	if depth > 0 {
		return errors.New("a bracket is not closed: balance its brackets")
	}
	return nil
}

// literal says t is a string or number literal.
func literal(t sqlref.Token) bool { return t.Kind == sqlref.String || t.Kind == sqlref.Number }

// checkParams checks each of params with CheckParam, naming the one
// refused by its place and text.
func checkParams(params []string, from string) error {
	for i, v := range params {
		if err := CheckParam(v); err != nil {
			return &engine.Error{Op: "parameters", Kind: engine.Invalid, Err: fmt.Errorf(
				"value %d of %d%s, %q, is not sent: %w", i+1, len(params), from, v, err)}
		}
	}
	return nil
}

// paramsMatch refuses, before anything is sent, a statement whose ?
// placeholders and Params differ in number: Athena would fail it. A
// PREPARE keeps its ? for EXECUTE ... USING to fill. Each value must be
// one SQL literal or expression (CheckParam).
func paramsMatch(stmt Statement) error {
	toks, err := sqlref.Lex(stmt.SQL)
	if err != nil {
		return nil // Athena says what is wrong with it
	}
	n := 0
	for i, t := range sqlref.Significant(toks) {
		if i == 0 && t.Is("prepare") {
			return nil
		}
		if t.Kind == sqlref.Param {
			n++
		}
	}
	if n == len(stmt.Params) {
		return checkParams(stmt.Params, "")
	}
	return &engine.Error{Op: "parameters", Kind: engine.Invalid, Err: fmt.Errorf(
		"the statement has %d ? placeholders and %d values were given for them: give one value for each ? (-e: --param VALUE, in order), or write the values into the SQL", n, len(stmt.Params))}
}

// Change is what a statement changes, as the guards see it.
type Change struct {
	// Write says it changes something (a table, a database, data in S3,
	// a partition): a read_only profile refuses it. Only statements
	// known to read (SELECT, WITH, VALUES, TABLE, SHOW, DESCRIBE,
	// EXPLAIN without ANALYZE) are not writes.
	Write bool
	// Destructive says it drops, deletes, overwrites or rewrites what
	// exists: DROP, DELETE, INSERT OVERWRITE, CTAS into a named location,
	// CREATE OR REPLACE, ALTER ... DROP / REPLACE COLUMNS, MERGE, UPDATE,
	// TRUNCATE. Front ends ask before sending it.
	Destructive bool
	// What names it: "drops table sales.orders".
	What string
}

// ChangeOf classifies sql. SQL it cannot read counts as a destructive
// write: a guard that cannot tell refuses rather than lets through.
func ChangeOf(sql string) Change {
	toks, err := sqlref.Lex(sql)
	if err != nil {
		return Change{Write: true, Destructive: true, What: "runs SQL quiltq cannot read"}
	}
	var w []sqlref.Token
	for _, t := range toks {
		if t.Kind != sqlref.Comment {
			w = append(w, t)
		}
	}
	return changeOf(w)
}

func changeOf(w []sqlref.Token) Change {
	is := func(i int, word string) bool { return i < len(w) && w[i].Is(word) }
	if len(w) == 0 {
		return Change{}
	}
	// A statement in parentheses is a query: (SELECT ...) UNION ...
	if w[0].IsOp("(") {
		return Change{}
	}
	first := strings.ToLower(w[0].Text)
	switch first {
	case "select", "with", "values", "table", "show", "describe", "desc":
		return Change{}
	case "explain":
		// EXPLAIN ANALYZE runs the statement it explains.
		i := 1
		if is(i, "analyze") {
			i++
			if is(i, "verbose") {
				i++
			}
			return changeOf(w[i:])
		}
		return Change{}
	case "drop":
		i := 1
		kind := "object"
		if i < len(w) && w[i].Kind == sqlref.Word {
			kind = strings.ToLower(w[i].Text)
			i++
		}
		return Change{Write: true, Destructive: true, What: "drops " + kind + " " + nameAt(w, i)}
	case "delete":
		i := 1
		if is(i, "from") {
			i++
		}
		return Change{Write: true, Destructive: true, What: "deletes rows of " + nameAt(w, i)}
	case "truncate":
		i := 1
		if is(i, "table") {
			i++
		}
		return Change{Write: true, Destructive: true, What: "empties " + nameAt(w, i)}
	case "update":
		return Change{Write: true, Destructive: true, What: "rewrites rows of " + nameAt(w, 1)}
	case "merge":
		i := 1
		if is(i, "into") {
			i++
		}
		return Change{Write: true, Destructive: true, What: "rewrites rows of " + nameAt(w, i)}
	case "insert":
		if is(1, "overwrite") {
			i := 2
			if is(i, "table") {
				i++
			}
			if is(i, "directory") {
				return Change{Write: true, Destructive: true, What: "overwrites the directory " + stringAt(w, i+1)}
			}
			return Change{Write: true, Destructive: true, What: "overwrites " + nameAt(w, i)}
		}
		i := 1
		if is(i, "into") {
			i++
		}
		return Change{Write: true, What: "inserts into " + nameAt(w, i)}
	case "create":
		return createChange(w)
	case "alter":
		i := 1
		kind := "table"
		if i < len(w) && w[i].Kind == sqlref.Word {
			kind = strings.ToLower(w[i].Text)
			i++
		}
		name := nameAt(w, i)
		for j := i; j < len(w); j++ {
			if w[j].Is("drop") {
				return Change{Write: true, Destructive: true, What: "drops from " + kind + " " + name + ": " + wordsFrom(w, j)}
			}
			if w[j].Is("replace") && is(j+1, "columns") {
				return Change{Write: true, Destructive: true, What: "replaces the columns of " + kind + " " + name}
			}
		}
		return Change{Write: true, What: "alters " + kind + " " + name}
	}
	return Change{Write: true, What: "runs " + strings.ToUpper(first)}
}

// createChange classifies CREATE ...: CREATE OR REPLACE replaces what
// exists; a CTAS naming its location writes files there (Athena refuses
// a location that holds data for Hive tables, but not every table format
// does, and the files are the user's); any other CREATE adds.
func createChange(w []sqlref.Token) Change {
	replace := len(w) > 2 && w[1].Is("or") && w[2].Is("replace")
	i := 1
	if replace {
		i = 3
	}
	kind := "object"
	for ; i < len(w) && w[i].Kind == sqlref.Word; i++ {
		k := strings.ToLower(w[i].Text)
		if k == "external" || k == "temporary" || k == "materialized" {
			continue
		}
		kind = k
		i++
		break
	}
	if i+2 < len(w) && w[i].Is("if") && w[i+1].Is("not") && w[i+2].Is("exists") {
		i += 3
	}
	name := nameAt(w, i)
	if replace {
		return Change{Write: true, Destructive: true, What: "replaces " + kind + " " + name}
	}
	if kind == "table" {
		// A CTAS: AS at depth 0 after the name, its location a table
		// property.
		depth, ctas, location := 0, false, ""
		for j := i; j < len(w); j++ {
			switch {
			case w[j].IsOp("("):
				depth++
			case w[j].IsOp(")"):
				depth--
			case depth == 0 && w[j].Is("as"):
				ctas = true
			case (w[j].Is("external_location") || w[j].Is("location")) && j+2 < len(w) && w[j+2].Kind == sqlref.String:
				location = w[j+2].Value
			}
		}
		if ctas && location != "" {
			return Change{Write: true, Destructive: true, What: "creates table " + name + " writing its files into " + location + ", over whatever is there"}
		}
	}
	return Change{Write: true, What: "creates " + kind + " " + name}
}

// nameAt is the (qualified) name starting at w[i], after IF EXISTS.
func nameAt(w []sqlref.Token, i int) string {
	if i+1 < len(w) && w[i].Is("if") && w[i+1].Is("exists") {
		i += 2
	}
	var b strings.Builder
	for ; i < len(w); i++ {
		t := w[i]
		switch {
		case t.IsOp("."):
			b.WriteString(".")
		case t.Kind == sqlref.Word || t.Kind == sqlref.QuotedIdent || t.Kind == sqlref.BacktickIdent:
			if b.Len() > 0 && !strings.HasSuffix(b.String(), ".") {
				return b.String()
			}
			b.WriteString(t.Value)
		default:
			if b.Len() == 0 {
				return "?"
			}
			return b.String()
		}
	}
	if b.Len() == 0 {
		return "?"
	}
	return b.String()
}

func stringAt(w []sqlref.Token, i int) string {
	if i < len(w) && w[i].Kind == sqlref.String {
		return w[i].Value
	}
	return "?"
}

// wordsFrom is up to four tokens of w from i, for naming what an ALTER
// drops ("DROP PARTITION (dt = '2024-01-01')" reads as "DROP PARTITION").
func wordsFrom(w []sqlref.Token, i int) string {
	var parts []string
	for j := i; j < len(w) && j < i+4 && !w[j].IsOp("("); j++ {
		parts = append(parts, w[j].Text)
	}
	return strings.Join(parts, " ")
}

// ReadOnlyRefusal is a write refused before sending by a read_only
// profile.
type ReadOnlyRefusal struct {
	Profile string
	Change  Change
}

func (r *ReadOnlyRefusal) Error() string {
	return fmt.Sprintf("refused before sending: profile %q is read_only, and this statement %s; nothing was sent to Athena (use a profile without read_only = true to write)", r.Profile, r.Change.What)
}

// ReadOnlyProfile names the read_only profile, for front ends that know
// the refusal by this method alone (the workbench).
func (r *ReadOnlyRefusal) ReadOnlyProfile() string { return r.Profile }

// ReadOnlyCheck refuses stmt when the profile is read_only and stmt
// writes: an error of kind Denied holding a *ReadOnlyRefusal. Check makes
// it first, so every front end refuses alike.
func (s *Session) ReadOnlyCheck(stmt Statement) error {
	if !s.settings.ReadOnly() {
		return nil
	}
	if c := ChangeOf(stmt.SQL); c.Write {
		return &engine.Error{Op: "read-only check", Kind: engine.Denied, Err: &ReadOnlyRefusal{Profile: s.settings.Profile, Change: c}}
	}
	return nil
}

// scanLimits says in a few words which scan limits hold: the workgroup's
// cutoff (bytes) and quiltq's max_scan (bytes), 0 for none.
func scanLimits(cutoff, maxScan int64) string {
	parts := []string{"no per-query scan limit in the workgroup"}
	if cutoff > 0 {
		parts[0] = fmt.Sprintf("the workgroup cancels a query past %s (BytesScannedCutoffPerQuery)", engine.FormatBytes(cutoff))
	}
	if maxScan > 0 {
		parts = append(parts, fmt.Sprintf("quiltq stops one past %s (max_scan)", engine.FormatBytes(maxScan)))
	}
	return strings.Join(parts, ", ")
}
