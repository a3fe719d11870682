package iam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/quiltq/quiltq/engine"
)

// This file reads policy documents from files, as `quiltq policy eval`
// is given them, with errors that say what was wrong and what to do. name
// is what the front end calls the files in its messages (a flag:
// "--policy"); it starts every error.

// ReadFiles reads and parses the policy files at paths, each within IAM's
// size limit (engine.PolicyLimit). parse is Parse for the identity grammar
// (identity and session policies, boundaries, SCPs) or ParseResource for
// a resource-based policy.
func ReadFiles(ctx context.Context, name string, paths []string, parse func(string, []byte) (*Policy, error)) ([]*Policy, error) {
	var out []*Policy
	for _, path := range paths {
		doc, err := engine.ReadFileLimitedContext(ctx, path, engine.PolicyLimit())
		if err != nil {
			return nil, fmt.Errorf("%s: %w\ncheck the %s path and that the file is readable", name, err, name)
		}
		p, err := parse(path, doc)
		if err != nil {
			return nil, malformed(name, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// malformed words a policy's parse error with what to do about it.
func malformed(name string, err error) error {
	var pe *ParseError
	if errors.As(err, &pe) && pe.Path == "" {
		return fmt.Errorf("%s: malformed policy: %w\nfix the JSON at that line and column and run again", name, err)
	}
	return fmt.Errorf("%s: malformed policy: %w\nfix that element of the policy and run again", name, err)
}

// scpLimit bounds a file of an organization's SCPs: at most five SCPs
// attached at each level, of at most 5,120 characters each, over a root,
// five levels of OUs and the account (Organizations User Guide, "Quotas
// and service limits for AWS Organizations").
func scpLimit() engine.Limit {
	l := engine.PolicyLimit()
	l.What, l.Chars = "the SCPs of an organization", 7*5*5120
	l.Advice = "an organization has at most seven levels (root, five OUs, the account) of at most five SCPs of 5,120 characters each"
	return l
}

// ReadSCPs reads the SCPs of an organization from the file at path: a
// JSON array with one entry per level from the root to the account, each
// an array of SCP documents, as PolicySet.SCPs holds them. Each document
// is named FILE[LEVEL][N] in messages and decisions.
func ReadSCPs(ctx context.Context, name, path string) ([][]*Policy, error) {
	doc, err := engine.ReadFileLimitedContext(ctx, path, scpLimit())
	if err != nil {
		return nil, fmt.Errorf("%s: %w\ncheck the %s path and that the file is readable", name, err, name)
	}
	var levels []json.RawMessage
	if err := json.Unmarshal(doc, &levels); err != nil {
		return nil, fmt.Errorf("%s: %s is not a JSON array of levels (%v)\nwrite it as [[ROOT_SCP, ...], [OU_SCP, ...], ..., [ACCOUNT_SCP, ...]], from the root to the account", name, path, err)
	}
	if len(levels) == 0 {
		return nil, fmt.Errorf("%s: %s has no level\nan account in an organization has at least the root's SCPs (FullAWSAccess by default); leave %s out for an account in no organization", name, path, name)
	}
	out := make([][]*Policy, len(levels))
	for i, raw := range levels {
		var docs []json.RawMessage
		if err := json.Unmarshal(raw, &docs); err != nil {
			return nil, fmt.Errorf("%s: %s[%d] is not an array of SCP documents (%v)\neach level is an array, even of one SCP: [{\"Version\": ...}]", name, path, i, err)
		}
		if len(docs) == 0 {
			return nil, fmt.Errorf("%s: %s[%d] holds no SCP\nevery level needs an SCP that allows (an empty level would deny everything); give FullAWSAccess where no other applies", name, path, i)
		}
		out[i] = []*Policy{}
		for j, d := range docs {
			p, err := Parse(fmt.Sprintf("%s[%d][%d]", path, i, j), d)
			if err != nil {
				return nil, malformed(name, err)
			}
			out[i] = append(out[i], p)
		}
	}
	return out, nil
}

// IsSession reports whether arn is a session principal (a role session,
// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, or a federated user
// session, arn:aws:sts::ACCOUNT:federated-user/NAME), the only kind a
// session policy limits: given for anyone else it would be ignored.
func IsSession(arn string) bool { return identify(arn, "", nil).kind.session() }

// ContextValues are the values of key in a request's context, the key
// matched case-insensitively, as IAM matches condition keys.
func (r Request) ContextValues(key string) []string { return contextKeys(r.Context).get(key) }
