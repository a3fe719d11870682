// Package auth turns a Quilt login into AWS credentials. It discovers a
// catalog's registry from <catalog>/config.json, talks to the registry
// (token exchange with rotating refresh tokens, AWS credentials, GraphQL),
// keeps a login in memory as an aws.CredentialsProvider (Session), and
// builds the AWS SDK configuration that queries run with, from a Quilt
// login or from the SDK's own credential chain.
//
// No token, key or secret ever appears in an error, a log line or a
// process argument: errors quote what the server said, with any token
// the request carried cut out.
package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/quiltq/quiltq/engine"
)

// Catalog is what a Quilt catalog's /config.json says about its stack.
type Catalog struct {
	// URL is the catalog's address, without trailing slashes.
	URL string
	// RegistryURL is where the registry API lives (/api/*, /graphql),
	// without trailing slashes. It is often another host than URL.
	RegistryURL string
	// Region is the stack's AWS region, used for S3 and Athena.
	Region string
	// StackVersion is the Quilt platform version, such as "1.70.0".
	StackVersion string
	// AnalyticsBucket ("<stack>-analyticsbucket-<random>") and
	// ServiceBucket are the stack's own buckets.
	AnalyticsBucket string
	ServiceBucket   string
	// Mode is OPEN, PRODUCT or LOCAL.
	Mode string
}

// catalogJSON is the part of config.json quiltq reads.
type catalogJSON struct {
	RegistryURL     string `json:"registryUrl"`
	Region          string `json:"region"`
	StackVersion    string `json:"stackVersion"`
	AnalyticsBucket string `json:"analyticsBucket"`
	ServiceBucket   string `json:"serviceBucket"`
	Mode            string `json:"mode"`
}

// Discover reads <catalogURL>/config.json. catalogURL may lack its
// scheme (https is assumed) and may end in slashes. The registry URL
// falls back to the catalog's only when config.json names none, and a
// relative one is resolved against the catalog. A reply that is not
// JSON (a login page, a proxy's error page) is an error naming the URL,
// the status and the content type.
func Discover(ctx context.Context, hc *http.Client, catalogURL string) (*Catalog, error) {
	const op = "discover the Quilt catalog"
	base, err := normalizeURL(catalogURL)
	if err != nil {
		return nil, &engine.Error{Op: op, Kind: engine.Invalid, Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/config.json", nil)
	if err != nil {
		return nil, &engine.Error{Op: op, Kind: engine.Invalid, Err: err}
	}
	req.Header.Set("Accept", "application/json")
	rep, err := do(hc, req)
	if err != nil {
		return nil, netError(ctx, op, "the Quilt catalog at "+base, err)
	}
	if rep.status != http.StatusOK || !rep.isJSON() {
		kind := engine.Invalid
		if rep.status == http.StatusNotFound {
			kind = engine.NotFound
		}
		return nil, &engine.Error{Op: op, Kind: kind, Err: fmt.Errorf("%s: is %s the address of a Quilt catalog? (a login page or a proxy may be in the way)", rep.describe(), base)}
	}
	var cj catalogJSON
	if err := json.Unmarshal(rep.body, &cj); err != nil {
		return nil, &engine.Error{Op: op, Kind: engine.Invalid, Err: fmt.Errorf("%s, but not a catalog configuration: is %s the address of a Quilt catalog?", rep.describe(), base)}
	}
	c := &Catalog{
		URL:             base,
		RegistryURL:     base,
		Region:          cj.Region,
		StackVersion:    cj.StackVersion,
		AnalyticsBucket: cj.AnalyticsBucket,
		ServiceBucket:   cj.ServiceBucket,
		Mode:            cj.Mode,
	}
	if r := strings.TrimSpace(cj.RegistryURL); r != "" {
		b, _ := url.Parse(base + "/")
		ref, err := url.Parse(r)
		if err != nil {
			return nil, &engine.Error{Op: op, Kind: engine.Invalid, Err: fmt.Errorf("%s names registryUrl %q, which is not a URL", req.URL, r)}
		}
		c.RegistryURL = strings.TrimRight(b.ResolveReference(ref).String(), "/")
	}
	return c, nil
}

// StackName guesses the CloudFormation stack's name from AnalyticsBucket,
// which real stacks name "<stack>-analyticsbucket-<random>"
// ("quilt-staging-analyticsbucket-10ort3e91tnoa" gives "quilt-staging").
// It returns "" when the bucket does not have that shape: the other
// guess in use (the bucket's first dash-separated word) is wrong for
// every stack whose name has a dash, so it is not made.
func (c *Catalog) StackName() string {
	stack, _, ok := strings.Cut(strings.ToLower(c.AnalyticsBucket), "-analyticsbucket")
	if !ok || stack == "" {
		return ""
	}
	return stack
}

// TabulatorCatalog is the name of the stack's Tabulator data catalog,
// "quilt-<stack>-tabulator" for the stack StackName tells, or "" when it
// cannot be told. The Quilt catalog itself derives no name: it takes the
// first confirmed data catalog whose name ends in "-tabulator", and
// falls back to two-part names when there is none
// (catalog/app/containers/Queries/Athena/TabulatorTables.tsx). This
// derivation is quilt-mcp-server's (src/quilt_mcp/ops/quilt_ops.py,
// _transform_catalog_config), and matches the observed
// quilt-quilt-staging-tabulator of stack quilt-staging. quiltq uses it to
// tell this stack's Tabulator catalog from another stack's in the same
// account (athena.ChooseTabulatorCatalog), and as the one to try when
// data catalogs cannot be listed.
func (c *Catalog) TabulatorCatalog() string {
	if s := c.StackName(); s != "" {
		return "quilt-" + s + "-tabulator"
	}
	return ""
}

// TabulatorCatalogFrom says where TabulatorCatalog's name comes from, for
// messages; "" when it is "".
func (c *Catalog) TabulatorCatalogFrom() string {
	if c.StackName() == "" {
		return ""
	}
	return "stack " + c.StackName() + ", told from the catalog's config.json analyticsBucket " + c.AnalyticsBucket
}

// normalizeURL gives a catalog URL a scheme (https when it has none) and
// strips trailing slashes.
func normalizeURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", fmt.Errorf("no catalog URL: set catalog_url in the profile or QUILTQ_CATALOG_URL")
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("catalog URL %q is not an http(s) address such as https://catalog.example.com", raw)
	}
	return strings.TrimRight(s, "/"), nil
}
