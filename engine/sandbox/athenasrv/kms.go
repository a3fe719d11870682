package athenasrv

import (
	"strings"

	"github.com/quiltq/quiltq/engine/sandbox/principal"
)

// resultKeyDenied authorizes the KMS half of writing (kms:GenerateDataKey)
// or reading (kms:Decrypt) a query's results when its workgroup encrypts
// them with a KMS key (SSE_KMS, CSE_KMS): Athena does both with the
// caller's credentials, and the key's policy must allow the caller too
// (Athena User Guide, "Permissions to encrypted data in Amazon S3": the
// minimum actions are kms:GenerateDataKey and kms:Decrypt). It returns nil
// when the results are not under a KMS key or the caller may use it.
func (s *Service) resultKeyDenied(x *execution, action string) *principal.Denial {
	enc := x.encryption
	if enc == nil || enc.KmsKey == "" || (enc.EncryptionOption != "SSE_KMS" && enc.EncryptionOption != "CSE_KMS") {
		return nil
	}
	key := enc.KmsKey
	if !strings.HasPrefix(key, "arn:") {
		// A bare key id names a key of the stack's account and region.
		key = "arn:aws:kms:" + s.cfg.Stack.Region + ":" + s.cfg.Stack.AccountID + ":key/" + key
	}
	return s.cfg.Authz.Authorize(x.caller, action, key, principal.Call{
		Via:     "athena.amazonaws.com",
		Context: map[string][]string{"kms:ViaService": {"s3." + s.cfg.Stack.Region + ".amazonaws.com"}},
	})
}
