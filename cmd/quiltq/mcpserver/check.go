package mcpserver

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/athena"
	"github.com/quiltq/quiltq/engine/explain"
	"github.com/quiltq/quiltq/engine/session"
)

func (s *Server) addCheckTools() {
	mcp.AddTool(s.mcp, &mcp.Tool{
		Name:  "athena_check",
		Title: "Check SQL without running it",
		Description: `Check SQL as athena_query would before sending it, without running anything: each table it reads, writes or describes with the grants' verdict (allowed, denied, unknown) and why,
and, when the role's policies are known, every IAM (action, resource) pair the query needs, those missing, and fix_statement, the one statement that fixes the whole query. allowed is false when athena_query would refuse it.`,
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true},
	}, s.athenaCheck)

	mcp.AddTool(s.mcp, &mcp.Tool{
		Name:  "explain_error",
		Title: "Explain an AWS error",
		Description: `Explain an AWS error text pasted from anywhere (an AccessDeniedException, S3's XML <Error>, Athena's StateChangeReason, an SDK or JDBC message, another MCP server's tool error):
whether it is a refusal, which actions on which resources for which principal, which kind of policy refused, who must act, and, when a statement on the caller's role fixes it, that statement.`,
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true},
	}, s.explainError)

	mcp.AddTool(s.mcp, &mcp.Tool{
		Name:  "permissions_doctor",
		Title: "What works and what is missing",
		Description: `Probe everything a Quilt user needs for Athena, in order (who they are, the registry, workgroups, data catalogs, databases and tables, a table's metadata, a trivial query and reading its results) and report each check as ok, refused, failed or skipped,
every action missing, and fix, one statement that fixes every refusal. Takes a few seconds; runs one tiny query.`,
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: ptr(true)},
	}, s.doctor)

	mcp.AddTool(s.mcp, &mcp.Tool{
		Name:        "whoami",
		Title:       "Who the queries run as",
		Description: `Who quiltq acts as: the Quilt catalog and user, the Quilt role and the roles the user may switch to, the AWS principal (STS) and account, and where the credentials come from (keyring, file, env, sandbox, aws). No secret is returned.`,
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true},
	}, s.whoami)
}

// CheckInput is athena_check's input.
type CheckInput struct {
	SQL       string `json:"sql" jsonschema:"the SQL to check (one or more statements)"`
	Catalog   string `json:"catalog,omitempty" jsonschema:"default data catalog for unqualified names"`
	Database  string `json:"database,omitempty" jsonschema:"default database for unqualified names"`
	Workgroup string `json:"workgroup,omitempty" jsonschema:"the workgroup it would run in"`
}

// CheckOutput is athena_check's output.
type CheckOutput struct {
	Allowed bool `json:"allowed" jsonschema:"true when athena_query would send it"`
	// Refs are the table references with each source's verdict.
	Refs []session.CheckedRef `json:"refs" jsonschema:"each table reference with the grants' verdict and why"`
	// Refusal is the refusal athena_query would give, when it would.
	Refusal *Refusal `json:"refusal,omitempty"`
	// Needs are what the SQL needs, when the principal can be told.
	Principal string         `json:"principal,omitempty"`
	Workgroup string         `json:"workgroup,omitempty"`
	Policies  string         `json:"policies,omitempty" jsonschema:"where the role's policies came from; empty when they are not known"`
	Required  []session.Pair `json:"required" jsonschema:"every IAM (action, resource) pair the SQL needs"`
	Missing   []session.Pair `json:"missing" jsonschema:"the required pairs the known policies lack (empty when unknown)"`
	// FixStatement fixes every missing pair (every required pair when the
	// policies are not known).
	FixStatement *explain.Policy `json:"fix_statement"`
	Blocked      []session.Pair  `json:"blocked"`
	Notes        []string        `json:"notes"`
}

func (s *Server) athenaCheck(ctx context.Context, _ *mcp.CallToolRequest, in CheckInput) (*mcp.CallToolResult, CheckOutput, error) {
	out := CheckOutput{Allowed: true, Refs: []session.CheckedRef{}, Required: []session.Pair{}, Missing: []session.Pair{}, Blocked: []session.Pair{}, Notes: []string{}}
	stmts, err := session.SplitStatements(in.SQL)
	if err != nil {
		return nil, out, errors.New("the SQL cannot be read: " + err.Error())
	}
	if len(stmts) == 0 {
		return nil, out, errors.New("sql holds no statement")
	}
	seen := map[session.CheckedRef]bool{}
	for _, sql := range stmts {
		stmt := session.Statement{SQL: sql, Catalog: in.Catalog, Database: in.Database, Workgroup: in.Workgroup}
		v, err := s.sess.Check(ctx, stmt)
		for _, d := range v.Decisions {
			var why []string
			for _, r := range d.Reasons {
				why = append(why, r.Source+": "+r.Why)
			}
			c := session.CheckedRef{Catalog: d.Ref.Catalog, Database: d.Ref.Database, Table: d.Ref.Table, Access: string(d.Ref.Access), Verdict: string(d.Verdict), Reason: strings.Join(why, "; ")}
			if !seen[c] {
				seen[c] = true
				out.Refs = append(out.Refs, c)
			}
		}
		out.Notes = append(out.Notes, v.Notes...)
		if err == nil {
			continue
		}
		out.Allowed = false
		if ref := s.refusalOf(ctx, stmt, athena.Execution{}, err); ref != nil {
			if out.Refusal == nil {
				out.Refusal = ref
			}
			continue
		}
		if engine.KindOf(err) == engine.Canceled {
			return nil, out, err
		}
		out.Notes = append(out.Notes, err.Error())
	}
	// What the whole SQL needs, as `quiltq explain --sql` says it.
	n, err := s.sess.ExplainSQL(ctx, session.Statement{SQL: in.SQL, Catalog: in.Catalog, Database: in.Database, Workgroup: in.Workgroup})
	if err != nil {
		out.Notes = append(out.Notes, "the IAM permissions the SQL needs could not be worked out: "+err.Error())
		return nil, out, nil
	}
	out.Principal, out.Workgroup = n.Principal, n.Workgroup
	if n.Policies != nil {
		out.Policies = *n.Policies
	}
	out.Required = nonNil(n.Required)
	out.Missing = nonNil(n.Missing)
	out.Blocked = nonNil(n.Blocked)
	out.FixStatement = n.Fix
	out.Notes = append(out.Notes, n.Notes...)
	return nil, out, nil
}

// ExplainInput is explain_error's input.
type ExplainInput struct {
	Text        string `json:"text" jsonschema:"the AWS error text, whole, as it was printed"`
	Workgroup   string `json:"workgroup,omitempty" jsonschema:"the Athena workgroup the refused request used, for Athena's short denial which names none (default: the session's)"`
	Region      string `json:"region,omitempty" jsonschema:"the AWS region of the request when the text names none (default: the session's)"`
	Account     string `json:"account,omitempty" jsonschema:"the AWS account ID when the text names none (default: the session's)"`
	DataCatalog string `json:"data_catalog,omitempty" jsonschema:"the Athena data catalog of the request when the text names none"`
}

// ExplainOutput is explain_error's output.
type ExplainOutput struct {
	Recognized     bool     `json:"recognized" jsonschema:"false when nothing in the text is an AWS error quiltq knows"`
	Denied         bool     `json:"denied" jsonschema:"the text is a permission refusal"`
	Category       string   `json:"category" jsonschema:"permission, credentials, throttling, not_found, config, syntax, other, ..."`
	Service        string   `json:"service,omitempty"`
	Code           string   `json:"code,omitempty" jsonschema:"the AWS error code"`
	Operation      string   `json:"operation,omitempty"`
	Actions        []string `json:"actions" jsonschema:"the IAM actions the text names as refused"`
	ImpliedActions []string `json:"implied_actions" jsonschema:"actions the text implies without naming them"`
	Resources      []string `json:"resources"`
	Principal      string   `json:"principal,omitempty"`
	PolicyType     string   `json:"policy_type,omitempty" jsonschema:"identity, resource, scp, session, boundary, vpc_endpoint, lake_formation, kms; empty when the text does not say"`
	// ExplicitDeny is null when the text does not say.
	ExplicitDeny  *bool           `json:"explicit_deny" jsonschema:"a Deny statement refused; null when the text does not say"`
	Connector     string          `json:"connector,omitempty" jsonschema:"the federated connector (Lambda) whose own role was refused"`
	WhoMustAct    string          `json:"who_must_act,omitempty"`
	Why           string          `json:"why,omitempty"`
	FixStatement  *explain.Policy `json:"fix_statement" jsonschema:"the identity statement that allows what was refused; null when none can"`
	DecodeCommand string          `json:"decode_command,omitempty" jsonschema:"the command that decodes an encoded authorization message"`
}

func (s *Server) explainError(_ context.Context, _ *mcp.CallToolRequest, in ExplainInput) (*mcp.CallToolResult, ExplainOutput, error) {
	out := ExplainOutput{Actions: []string{}, ImpliedActions: []string{}, Resources: []string{}}
	if strings.TrimSpace(in.Text) == "" {
		return nil, out, errors.New("text is empty: paste the whole AWS error text")
	}
	c := s.sess.FixContext()
	for _, f := range []struct {
		given string
		into  *string
	}{{in.Workgroup, &c.Workgroup}, {in.Region, &c.Region}, {in.Account, &c.Account}, {in.DataCatalog, &c.DataCatalog}} {
		if f.given != "" {
			*f.into = f.given
		}
	}
	d := explain.Parse(in.Text)
	rem := d.Remedy()
	out.Recognized = d.Category != explain.CategoryOther || d.Code != "" || d.Service != "" || len(d.Actions) > 0 || len(d.Resources) > 0 || d.Principal != "" || d.Connector != ""
	out.Denied, out.Category, out.Service, out.Code, out.Operation = d.Denied, d.Category, d.Service, d.Code, d.Operation
	out.Actions, out.ImpliedActions, out.Resources = nonNil(d.Actions), nonNil(d.ImpliedActions), nonNil(d.Resources)
	out.Principal, out.PolicyType, out.Connector = d.Principal, d.PolicyType, d.Connector
	if d.DenyStated {
		out.ExplicitDeny = ptr(d.ExplicitDeny)
	}
	out.WhoMustAct, out.Why = rem.Who, rem.Why
	out.FixStatement = explain.FixDenial(d, c)
	out.DecodeCommand = d.DecodeCommand()
	return nil, out, nil
}

// DoctorInput is permissions_doctor's input.
type DoctorInput struct {
	Table string `json:"table,omitempty" jsonschema:"the table whose metadata to read, DATABASE.TABLE or CATALOG.DATABASE.TABLE (default: the first one listed)"`
}

func (s *Server) doctor(ctx context.Context, _ *mcp.CallToolRequest, in DoctorInput) (*mcp.CallToolResult, session.Report, error) {
	rep, err := s.sess.Doctor(ctx, session.DoctorOptions{Table: in.Table})
	if err != nil {
		return nil, rep, failure(err)
	}
	rep.Checks, rep.Missing, rep.Blocked = nonNil(rep.Checks), nonNil(rep.Missing), nonNil(rep.Blocked)
	for i := range rep.Checks {
		rep.Checks[i].Missing = nonNil(rep.Checks[i].Missing)
	}
	return nil, rep, nil
}

// WhoamiOutput is whoami's output.
type WhoamiOutput struct {
	CatalogURL       string   `json:"catalog_url,omitempty" jsonschema:"the Quilt catalog logged in to"`
	User             string   `json:"user,omitempty"`
	Email            string   `json:"email,omitempty"`
	Admin            bool     `json:"admin" jsonschema:"the user is a Quilt admin"`
	Role             string   `json:"role,omitempty" jsonschema:"the Quilt role the user holds now"`
	Roles            []string `json:"roles" jsonschema:"the Quilt roles the user may switch to"`
	PrincipalARN     string   `json:"principal_arn" jsonschema:"the AWS principal queries run as (STS)"`
	Account          string   `json:"account"`
	Region           string   `json:"region"`
	TokenExpiresAt   string   `json:"token_expires_at,omitempty" jsonschema:"when the Quilt access token expires (RFC 3339)"`
	CredentialSource string   `json:"credential_source" jsonschema:"env, keyring, file, sandbox or aws"`
	CredentialDetail string   `json:"credential_detail"`
	Workgroup        string   `json:"workgroup,omitempty" jsonschema:"the workgroup queries run in, once chosen"`
	Policies         string   `json:"policies,omitempty" jsonschema:"where the role's policies are known from, when they are (the check before sending then covers every IAM permission)"`
}

func (s *Server) whoami(ctx context.Context, _ *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, WhoamiOutput, error) {
	id, err := s.sess.WhoAmI(ctx)
	out := WhoamiOutput{CatalogURL: id.CatalogURL, User: id.User, Email: id.Email, Admin: id.Admin, Role: id.Role, Roles: nonNil(id.Roles),
		PrincipalARN: id.PrincipalARN, Account: id.Account, Region: s.sess.Region(), CredentialSource: id.CredentialSource, CredentialDetail: id.CredentialDetail,
		Workgroup: s.sess.WorkgroupName()}
	if id.TokenExpiresAt != nil {
		out.TokenExpiresAt = id.TokenExpiresAt.UTC().Format(time.RFC3339)
	}
	if k := s.sess.Known(); k != nil {
		out.Policies = k.Source
	}
	if err != nil {
		return nil, out, failure(err)
	}
	return nil, out, nil
}
