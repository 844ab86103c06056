package clienteletest_test

import (
	"fmt"
	"testing"

	"github.com/clientele-go/clientele/clienteletest"
	"github.com/clientele-go/clientele/segment"
)

// A host's test saves a segment and checks who is in it.
func ExampleEnv_MustSegment() {
	env := clienteletest.New(&testing.T{})
	vip := env.MustRegister(clienteletest.Tags("VIP"))
	env.MustRegister(clienteletest.Tags("new"))
	s := env.MustSegment("VIPs", segment.Cond(segment.FieldTag, segment.OpHas, "vip"))
	fmt.Println(env.MustSegmentMembers(s.ID)[0] == vip.ID, len(env.MustSegmentMembers(s.ID)))
	// Output: true 1
}
