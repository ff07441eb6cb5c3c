package crdt

import (
	"testing"
)

func TestApplyRemote_LiveObject(t *testing.T) {
	runSteps(t, emptyRoot, false, []step{
		{set("[]", "a", "1", 5), Applied, obj(`"a":1`)},
		{set("[]", "a", "2", 5), Rejected, obj(`"a":1`)}, // tie loses
		{set("[]", "a", "2", 4), Rejected, obj(`"a":1`)},
		{set("[]", "a", "3", 6), Applied, obj(`"a":3`)},
		{set("[]", "b", "true", 1), Applied, obj(`"a":3,"b":true`)},
		{del("[]", "zz", 100), Rejected, ""},                 // missing field
		{del("[]", "a", 6), Rejected, obj(`"a":3,"b":true`)}, // tie loses
		{del("[]", "a", 7), Applied, obj(`"b":true`)},
		// No tombstone: any clock brings the field back, at the end.
		{set("[]", "a", "9", 1), Applied, obj(`"b":true,"a":9`)},
		{set("[]", "b", `{"type":"LiveMap","entries":{"x":1}}`, 2), Applied, obj(`"b":{"type":"LiveMap","entries":{"x":1}},"a":9`)},
		{set(`["b"]`, "y", "2", 1), Applied, obj(`"b":{"type":"LiveMap","entries":{"x":1,"y":2}},"a":9`)},
	})
}
