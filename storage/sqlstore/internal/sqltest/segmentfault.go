package sqltest

import (
	"fmt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/segment"
)

// vipSegment is the rule of the segment fault ops.
func vipSegment() segment.Rule {
	return segment.All(segment.Cond(segment.FieldTag, segment.OpHas, "vip"), segment.Not(segment.Cond(segment.FieldType, segment.OpEq, "business")))
}

// addSegment saves the VIP segment under name.
func (f *faultFixture) addSegment(name string) {
	f.t.Helper()
	s, err := f.svc.Segments.Create(f.ctx, clientele.SegmentParams{Name: name, Rule: vipSegment()})
	f.must("create segment "+name, err)
	f.ids[name] = s.ID
}

// segmentFaultOps are the writes of Segments.
var segmentFaultOps = []faultOp{
	{
		name:  "Segments.Create",
		setup: func(*faultFixture) {},
		run: func(f *faultFixture) (string, error) {
			s, err := f.svc.Segments.Create(f.ctx, clientele.SegmentParams{Name: "VIPs", Rule: vipSegment()})
			return fmt.Sprintf("%s v%d", s.ID, s.Version), err
		},
	},
	{
		name:  "Segments.Update",
		setup: func(f *faultFixture) { f.addSegment("vips") },
		run: func(f *faultFixture) (string, error) {
			s, err := f.svc.Segments.Update(f.ctx, f.ids["vips"], clientele.SegmentParams{Name: "Business",
				Rule: segment.Cond(segment.FieldType, segment.OpEq, "business")})
			return fmt.Sprintf("%s v%d", s.ID, s.Version), err
		},
	},
	{
		name:  "Segments.Delete",
		setup: func(f *faultFixture) { f.addSegment("vips") },
		run: func(f *faultFixture) (string, error) {
			return "", f.svc.Segments.Delete(f.ctx, f.ids["vips"])
		},
	},
	{
		name: "Segments.Freeze",
		setup: func(f *faultFixture) {
			for _, n := range []string{"ada", "bob", "cy"} {
				f.register(n, n+"@example.com")
			}
			for _, n := range []string{"ada", "cy"} {
				_, err := f.svc.Customers.Update(f.ctx, f.ids[n], customer.Patch{Tags: &[]string{"vip"}})
				f.must("tag "+n, err)
			}
			f.addSegment("vips")
		},
		run: func(f *faultFixture) (string, error) {
			g, err := f.svc.Segments.Freeze(f.ctx, f.ids["vips"], "Frozen VIPs")
			return g.ID.String(), err
		},
	},
}
