package verification_test

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/verification"
)

// A customer submits, a reviewer rejects with a reason, the customer
// resubmits and is approved; deciding twice is refused.
func ExampleVerification_Transition() {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	s := verification.CustomerSubject(uuid.MustParse("7f1c0d4e-0000-4000-8000-000000000001"))
	v := verification.New(s)
	var h verification.History
	for _, step := range []struct {
		to               verification.Status
		reason, reviewer string
	}{
		{verification.Pending, "", s.String()},
		{verification.Rejected, "the photo is blurred", "staff:ana"},
		{verification.Pending, "", s.String()},
		{verification.Verified, "", "staff:ana"},
		{verification.Verified, "", "staff:bo"},
	} {
		r, err := v.Transition(step.to, step.reason, step.reviewer, now)
		if err != nil {
			fmt.Println(err)
			continue
		}
		h = append(h, r)
	}
	fmt.Println(v.Status, v.Version, len(h), len(h.Decisions()))
	// Output:
	// verification: invalid status transition from verified to verified
	// verified 4 4 2
}
