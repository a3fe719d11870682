package stack

import "testing"

func TestDefaultLoads(t *testing.T) {
	st, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	t.Log(st.Name, len(st.Buckets))
}
