package explain

import (
	"strings"

	"github.com/quiltq/quiltq/engine/iam"
)

// Remedy says who can resolve what a text reports, and whether a statement
// added to the caller's identity policy would.
type Remedy struct {
	// Fixable is true when an Allow statement in the caller's identity
	// policy resolves the refusal (FixDenial builds it).
	Fixable bool
	// Who must act, in a few words; "" when the text is no refusal and
	// no one in particular has to act (throttling, a typo in the SQL).
	Who string
	// Why, in one sentence.
	Why string
}

// Remedy says who can resolve d. Only refusals by the caller's identity
// policies (or refusals that do not say which policy) are Fixable; an
// explicit Deny, an SCP, a permissions boundary, a session policy, a
// resource or key policy, a VPC endpoint policy, Lake Formation and a
// connector's own role each need someone else, and credentials need a new
// login rather than any policy.
func (d Denial) Remedy() Remedy {
	switch d.Category {
	case CategoryCredentials:
		return Remedy{Who: "you: log in again (quiltq login) or refresh the AWS credentials",
			Why: "the credentials were refused (expired, unknown or badly signed); no policy change helps"}
	case CategoryPermission:
	case CategoryConfig:
		return d.configRemedy()
	default:
		return Remedy{}
	}
	role := roleOf(d.Principal)
	admin := "your AWS administrator"
	if d.Connector != "" {
		return Remedy{Who: "the owner of the connector " + d.Connector,
			Why: "the connector's own execution role was refused, not yours; its role needs the permission"}
	}
	switch d.PolicyType {
	case PolicySCP:
		return Remedy{Who: "your AWS Organizations administrator",
			Why: "a service control policy refuses this; no statement in the role's own policies can override it"}
	case PolicyRCP:
		return Remedy{Who: "your AWS Organizations administrator",
			Why: "a resource control policy on the resource refuses this; no statement in the role's own policies can override it"}
	case PolicyBoundary:
		return Remedy{Who: admin + ", who sets the permissions boundary of " + role,
			Why: "the role's permissions boundary does not allow this; an identity statement only helps once the boundary allows it too"}
	case PolicySession:
		return sessionRemedy(d)
	case PolicyVPCEndpoint:
		return Remedy{Who: "the network administrator of the VPC endpoint",
			Why: "the VPC endpoint policy refuses this; the role's policies cannot override it"}
	case PolicyLakeFormation:
		return Remedy{Who: "a Lake Formation data lake administrator",
			Why: "Lake Formation grants (SELECT, DESCRIBE, CREATE_TABLE ...) are not IAM actions; they are granted in Lake Formation, and lakeformation:GetDataAccess must be allowed too"}
	case PolicyKMS:
		return Remedy{Who: "the administrator of the KMS key" + named(d.Resources),
			Why: "the key policy must allow the role (or delegate to IAM in the key's account) before any identity statement counts"}
	case PolicyResource:
		return Remedy{Who: resourceOwner(d),
			Why: "a resource-based policy (of a bucket, a Glue catalog in another account, a function, or a role's trust policy) must allow the caller; a statement on the caller's role is not enough"}
	}
	if d.ExplicitDeny {
		where := "a Deny statement in the identity policies"
		if d.Policy != "" {
			where = "the Deny statement in " + d.Policy
		}
		return Remedy{Who: admin + ": remove or narrow " + where,
			Why: "an explicit Deny refuses this, and no Allow can override an explicit Deny"}
	}
	if d.Encoded != "" && len(d.Needed()) == 0 {
		return Remedy{Who: admin,
			Why: "the refusal's details are in its encoded authorization message; read them with " + d.DecodeCommand() + " (it needs sts:DecodeAuthorizationMessage)"}
	}
	if len(d.Needed()) == 0 {
		return Remedy{Who: admin,
			Why: "the refusal names no action, so no statement can be built from it alone; run quiltq explain --sql with the query, or look the request up in CloudTrail"}
	}
	why := "no identity-based policy allows it; add the statement below to " + role
	if d.PolicyType == "" {
		why = "the refusal does not name the policy type; an identity statement is the usual fix: add the statement below to " + role
	}
	return Remedy{Fixable: true, Who: admin + " (add the statement to " + role + ")", Why: why}
}

// sessionRemedy says who can lift a session policy's refusal. A Quilt
// registry scopes a managed role's credentials to the buckets the role
// is granted with a session policy it applies when it hands them out
// (quiltdata/quilt, docs/advanced-features/iceberg-tables.md): when the
// refused resource belongs to a Quilt bucket (the bucket itself, one of
// its per-bucket tables, or its Iceberg tables' files), the one who can
// lift it is the Quilt admin, by granting that bucket to the role. No
// statement on the role's own policies helps: a session policy limits
// them, and they cannot widen it (IAM User Guide, "Session policies").
func sessionRemedy(d Denial) Remedy {
	why := "the session policy the credentials were issued with limits them; the role's own policies cannot widen a session policy, so no statement added to them helps"
	bucket, role := quiltBucketOf(d.Resources), roleName(d.Principal)
	if bucket == "" || role == "" {
		return Remedy{Who: "whoever issues the session (for a Quilt role, the Quilt admin, who decides which buckets the role is granted)", Why: why}
	}
	return Remedy{
		Who: "your Quilt admin: grant bucket " + bucket + " to Quilt role " + role +
			" (in the catalog's admin page, Users and roles: a policy with access to the bucket, attached to the role); then run the query again with new credentials (a new quiltq session)",
		Why: "Quilt's registry scopes a managed role's credentials to the buckets the role is granted, with a session policy it applies when it hands them out, and bucket " +
			bucket + " is not one of them; " + why + ". Credentials issued before the grant keep their session policy until they expire. " +
			"(Credentials that did not come from a Quilt catalog: whoever issued the session must change its session policy.)",
	}
}

// quiltBucketOf is the Quilt bucket a refused resource belongs to: an S3
// bucket (or, for a file of an Iceberg package table, the bucket the
// table is of), or a per-bucket table of Quilt's user Athena database
// (userathenadatabase-*, "<bucket>_...") or of its Iceberg database
// ("<bucket>_package_revision" and the other three, iam.QuiltIcebergTable);
// "" when none of the resources is one.
func quiltBucketOf(resources []string) string {
	for _, r := range resources {
		if rest, ok := strings.CutPrefix(r, "s3://"); ok {
			r = "arn:aws:s3:::" + rest
		}
		a, err := iam.ParseARN(r)
		if err != nil {
			continue
		}
		switch a.Service {
		case "s3":
			bucket, key, _ := strings.Cut(a.Resource, "/")
			first, _, _ := strings.Cut(key, "/")
			if b, ok := iam.QuiltIcebergTable(first); ok {
				return b
			}
			if bucket != "" {
				return bucket
			}
		case "glue":
			path, ok := strings.CutPrefix(a.Resource, "table/")
			if !ok {
				continue
			}
			db, table, _ := strings.Cut(path, "/")
			if b, ok := iam.QuiltIcebergTable(table); ok {
				return b
			}
			if strings.HasPrefix(db, "userathenadatabase-") {
				// S3 bucket names cannot hold "_": the first ends the bucket.
				if b, _, ok := strings.Cut(table, "_"); ok && b != "" {
					return b
				}
			}
		}
	}
	return ""
}

// roleName is the role of an assumed-role ARN, "" for any other.
func roleName(principal string) string {
	a, err := iam.ParseARN(principal)
	if err != nil {
		return ""
	}
	rest, ok := strings.CutPrefix(a.Resource, "assumed-role/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// configRemedy says what to do about a configuration failure that quiltq
// can name the fix of.
func (d Denial) configRemedy() Remedy {
	switch {
	case d.MaybeDenied:
		// Athena User Guide, "Troubleshooting": "Unable to verify/create
		// output bucket" stands for a bucket that does not exist, is in
		// another Region, or that the caller may not use.
		bucket := "the results bucket"
		if len(d.Resources) > 0 {
			bucket = strings.TrimPrefix(d.Resources[0], "s3://")
			bucket, _, _ = strings.Cut(bucket, "/")
		}
		return Remedy{Who: "you, or your AWS administrator if it is a refusal",
			Why: "Athena could not use " + bucket + ": it does not exist, is in another Region, or you may not use it. " +
				"To tell which, run aws s3api get-bucket-location --bucket " + bucket + " with the same credentials: " +
				"NoSuchBucket means fix the workgroup's output location; a Region other than the workgroup's means use a bucket in its Region; " +
				"AccessDenied means s3:GetBucketLocation, s3:ListBucket and s3:PutObject on it are missing (quiltq explain --sql builds that statement)"}
	case strings.Contains(d.Original, "external_location"):
		// Athena User Guide, "Troubleshooting workgroups": a CTAS in a
		// workgroup that overrides client-side settings may not set
		// external_location; Athena writes the table under the
		// workgroup's output location instead.
		return Remedy{Who: "you",
			Why: "the workgroup enforces its own output location, so a CTAS may not set external_location: remove the external_location property (the table's data goes under the workgroup's output location), or run the CTAS in a workgroup that does not override client-side settings"}
	}
	return Remedy{}
}

// Needed is what a statement must allow for d: the actions the text names,
// then those it implies.
func (d Denial) Needed() []string {
	out := append([]string(nil), d.Actions...)
	for _, a := range d.ImpliedActions {
		out = appendNew(out, a)
	}
	return out
}

// roleOf names the role of an assumed-role ARN, or words the caller.
func roleOf(principal string) string {
	if a, err := iam.ParseARN(principal); err == nil {
		if rest, ok := strings.CutPrefix(a.Resource, "assumed-role/"); ok {
			name, _, _ := strings.Cut(rest, "/")
			return "role " + name
		}
		return a.Resource
	}
	return "your role"
}

func named(resources []string) string {
	if len(resources) == 0 {
		return ""
	}
	return " " + resources[0]
}

// resourceOwner names who controls the resource policy that refused.
func resourceOwner(d Denial) string {
	res := ""
	if len(d.Resources) > 0 {
		res = d.Resources[0]
	}
	a, err := iam.ParseARN(res)
	switch {
	case err != nil:
		return "the owner of the resource" + named(d.Resources)
	case a.Service == "s3":
		bucket, _, _ := strings.Cut(a.Resource, "/")
		return "the owner of bucket " + bucket + " (its bucket policy)"
	case a.Service == "glue":
		return "the administrator of account " + a.Account + "'s Glue Data Catalog (its catalog resource policy)"
	case a.Service == "lambda":
		return "the owner of function " + res + " (its resource-based policy)"
	case a.Service == "iam" && strings.HasPrefix(a.Resource, "role/"):
		return "the administrator of " + strings.TrimPrefix(a.Resource, "role/") + " (its trust policy)"
	}
	return "the owner of " + res + " (its resource-based policy)"
}

// Context is what the caller knows beyond the text, to build a statement
// for a refusal that does not name its resource (Athena's short denial
// names neither workgroup nor Region).
type Context struct {
	Partition, Region, Account string
	Workgroup                  string // for Athena actions on a workgroup
	DataCatalog                string // for Athena actions on a data catalog
}

// FixDenial builds the identity-policy statements that allow what d
// reports refused, or nil when d is not Fixable. Glue resources are
// widened to their ancestors (catalog, database), as Glue checks the
// whole hierarchy; S3 object actions cover the bucket's objects and
// bucket actions the bucket; what the text leaves unknown comes from ctx
// or is a wildcard. Glue and Lambda statements carry Quilt's aws:CalledVia
// condition when the refusal came from a query (no direct operation).
func FixDenial(d Denial, ctx Context) *Policy {
	if !d.Remedy().Fixable {
		return nil
	}
	a := denialARNs(d, ctx)
	via := ""
	if d.Operation == "" || serviceOfOperation(d.Operation) == "athena" {
		via = iam.ViaAthena
	}
	var reqs []iam.Requirement
	for _, act := range d.Needed() {
		svc, _, _ := strings.Cut(act, ":")
		r := iam.Requirement{Action: act, Purpose: purposeOf(svc)}
		if svc == "glue" || svc == "lambda" {
			r.Via = via
		}
		for _, res := range a.resourcesFor(act, d.Resources, ctx) {
			r.Resource = res
			reqs = append(reqs, r)
		}
	}
	return build(reqs)
}

func purposeOf(svc string) iam.Purpose {
	switch svc {
	case "glue":
		return iam.PurposeMetadata
	case "lambda":
		return iam.PurposeConnector
	case "s3":
		return iam.PurposeResults // unconditioned: quiltq and Athena both read S3
	case "kms":
		return iam.PurposeKey
	case "lakeformation":
		return iam.PurposeLakeFormation
	case "athena":
		return iam.PurposeWorkgroup
	}
	return ""
}

// partARNs are the partition, Region and account of a denial's ARNs.
type partARNs struct{ partition, region, account string }

func denialARNs(d Denial, ctx Context) partARNs {
	a := partARNs{ctx.Partition, ctx.Region, ctx.Account}
	for _, s := range append(append([]string(nil), d.Resources...), d.Principal) {
		p, err := iam.ParseARN(s)
		if err != nil {
			continue
		}
		if a.partition == "" {
			a.partition = p.Partition
		}
		if a.region == "" && p.Service != "s3" {
			a.region = p.Region
		}
		if a.account == "" {
			a.account = p.Account
		}
	}
	if a.partition == "" {
		a.partition = "aws"
	}
	if a.region == "" {
		a.region = "*"
	}
	if a.account == "" {
		a.account = "*"
	}
	return a
}

// resourcesFor returns the resources a statement for act should name.
func (a partARNs) resourcesFor(act string, named []string, ctx Context) []string {
	svc, _, _ := strings.Cut(act, ":")
	var out []string
	add := func(r string) {
		if iam.AppliesTo(act, r) {
			for _, o := range out {
				if o == r {
					return
				}
			}
			out = append(out, r)
		}
	}
	for _, r := range named {
		if rest, ok := strings.CutPrefix(r, "s3://"); ok {
			r = "arn:" + a.partition + ":s3:::" + rest
		}
		p, err := iam.ParseARN(r)
		if err != nil {
			continue // Lake Formation names, IAM's "role NAME"
		}
		switch p.Service {
		case "s3":
			bucket, _, _ := strings.Cut(p.Resource, "/")
			add("arn:" + p.Partition + ":s3:::" + bucket)
			add("arn:" + p.Partition + ":s3:::" + bucket + "/*")
		case "glue":
			base := "arn:" + p.Partition + ":glue:" + p.Region + ":" + p.Account + ":"
			kind, path, _ := strings.Cut(p.Resource, "/")
			db, table, _ := strings.Cut(path, "/")
			switch kind {
			case "catalog":
				db, table = "*", "*"
			case "database":
				table = "*"
			case "table":
			default:
				add(r)
				continue
			}
			add(base + "catalog")
			add(base + "database/" + db)
			add(base + "table/" + db + "/" + table)
		default:
			add(r)
		}
	}
	if len(out) > 0 || len(named) > 0 && svc != "athena" {
		if len(out) == 0 {
			return []string{"*"}
		}
		return out
	}
	// The text named no resource this action is checked on.
	switch svc {
	case "athena":
		wg, dc := ctx.Workgroup, ctx.DataCatalog
		if wg == "" {
			wg = "*"
		}
		if dc == "" {
			dc = "*"
		}
		base := "arn:" + a.partition + ":athena:" + a.region + ":" + a.account + ":"
		add(base + "workgroup/" + wg)
		add(base + "datacatalog/" + dc)
		if len(out) > 0 {
			return out
		}
	}
	return []string{"*"}
}
