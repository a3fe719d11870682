package iam

import "errors"

// Parse reads one policy document. (Placeholder until the evaluator lands.)
func Parse(name string, doc []byte) (*Policy, error) {
	return nil, errors.New("iam: Parse not built yet")
}

// Evaluate decides req against policies. (Placeholder until the evaluator lands.)
func Evaluate(req Request, policies ...*Policy) Result {
	return Result{Decision: ImplicitlyDenied}
}
