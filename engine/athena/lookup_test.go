package athena

import (
	"slices"
	"testing"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/engine/sandbox"
	"github.com/quiltq/quiltq/engine/sandbox/sandboxtest"
)

func TestLookups(t *testing.T) {
	env := sandboxtest.Start(t, sandbox.Options{})
	ctx := sandboxtest.Context(t)
	admin := New(env.AWSConfig(t, "admin"), Options{})

	wg, err := admin.DescribeWorkgroup(ctx, "QuiltUserAthena-sales-prod-Legacy")
	if err != nil || wg.OutputLocation != "s3://sales-prod-userathenaresultsbucket-1x7kq3bzr9wm/legacy-results/" {
		t.Errorf("a disabled workgroup: got %+v, %v; want its result location all the same", wg, err)
	}
	wg, err = admin.DescribeWorkgroup(ctx, "QuiltUserAthena-sales-prod-NonManagedRoleWorkgroup")
	if err != nil || !wg.Enforced || wg.Encryption != "SSE_S3" {
		t.Errorf("the user workgroup: got %+v, %v; want enforced SSE_S3", wg, err)
	}

	dc, err := admin.DescribeDataCatalog(ctx, tabCatalog)
	if err != nil || dc.Type != "LAMBDA" || dc.Function() != "arn:aws:lambda:us-east-1:123456789012:function:quilt-sales-prod-tabulator" {
		t.Errorf("the Tabulator catalog: got %+v (function %q), %v", dc, dc.Function(), err)
	}
	if dc, err := admin.DescribeDataCatalog(ctx, "awsdatacatalog"); err != nil || dc.Type != "GLUE" {
		t.Errorf("AwsDataCatalog: got %+v, %v; want GLUE", dc, err)
	}

	tf, err := admin.DescribeTable(ctx, GlueCatalog, "sales", "events")
	if err != nil || tf.Location != "s3://quilt-sandbox-bucket/warehouse/sales/events/" || !slices.Equal(tf.PartitionKeys, []string{"dt"}) {
		t.Errorf("sales.events: got %+v, %v; want its location and partition key dt", tf, err)
	}
	if tf, err := admin.DescribeTable(ctx, GlueCatalog, "sales", "order_totals"); err != nil || !tf.View {
		t.Errorf("sales.order_totals: got %+v, %v; want a view", tf, err)
	}

	// The analyst may not read Glue, even through Athena: a refusal.
	analyst := New(env.AWSConfig(t, "analyst"), Options{})
	if _, err := analyst.DescribeTable(ctx, GlueCatalog, "sales", "orders"); engine.KindOf(err) != engine.Denied {
		t.Errorf("the analyst describing sales.orders: got %v, want a refusal", err)
	}
	if _, err := analyst.DescribeWorkgroup(ctx, "sales-prod-audit"); engine.KindOf(err) != engine.Denied {
		t.Errorf("the analyst describing the audit workgroup: got %v, want a refusal", err)
	}
}
