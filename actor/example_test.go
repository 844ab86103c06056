package actor_test

import (
	"context"
	"fmt"

	"github.com/clientele-go/clientele/actor"
)

// A host's HTTP middleware puts the signed-in staff user on the request's
// context; every change made with that context records them.
func Example() {
	ctx := actor.NewContext(context.Background(), actor.Staff("u_42"))
	fmt.Println(actor.FromContext(ctx))
	fmt.Println(actor.FromContext(context.Background()))
	// Output:
	// staff:u_42
	// system
}
