package operator_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/operator"
)

func ExampleNewStaff() {
	s, err := operator.NewStaff(uuid.MustParse("3b9e2d1c-0a4f-4e6b-8c7d-5f1a2b3c4d01"), operator.Support,
		time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
	b, _ := json.Marshal(s)
	fmt.Println(string(b), err)
	fmt.Println(s.Role.AtLeast(operator.Admin))
	_, err = operator.ParseRole("janitor")
	fmt.Println(err)
	// Output:
	// {"customer_id":"3b9e2d1c-0a4f-4e6b-8c7d-5f1a2b3c4d01","role":"support","since":"2024-05-01T12:00:00Z"} <nil>
	// false
	// role: must be one of support, admin, not "janitor"
}
