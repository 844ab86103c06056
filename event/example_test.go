package event_test

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/event"
)

// A consumer reads an event's payload with the type's payload struct.
func ExampleDecode() {
	id := uuid.MustParse("0193a0c8-0000-7000-8000-000000000001")
	e, _ := event.New(event.GroupMemberAdded, event.AggregateGroup, id.String(), id, 1,
		event.MemberPayload{GroupID: id, CustomerID: id})
	switch e.Type {
	case event.GroupMemberAdded:
		p, err := event.Decode[event.MemberPayload](e)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("joined:", p.CustomerID)
	}
	// Output: joined: 0193a0c8-0000-7000-8000-000000000001
}

// Diff lists what changed between two versions of an entity, as the
// update events and the audit trail show it.
func ExampleDiff() {
	type profile struct {
		FirstName string `json:"first_name,omitempty"`
		Note      string `json:"note,omitempty"`
	}
	changes, _ := event.Diff(profile{FirstName: "Ann"}, profile{FirstName: "Anne", Note: "prefers email"})
	for _, c := range changes {
		fmt.Printf("%s: %s -> %s\n", c.Field, c.Before, c.After)
	}
	// Output:
	// first_name: "Ann" -> "Anne"
	// note:  -> "prefers email"
}
