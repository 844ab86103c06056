package clienteletest

import (
	"context"
	"time"

	"github.com/clientele-go/clientele/event"
)

// EventsConsumer is the name of the outbox consumer TakeEvents reads with.
const EventsConsumer = "clienteletest"

// TakeEvents returns the events committed since the previous call (since
// the environment began, the first time), in delivery order, and
// acknowledges them: a test asserts on what one step emitted. It fails the
// test on a store without the storage.Outbox capability.
func (e *Env) TakeEvents() []event.Event {
	e.TB.Helper()
	ctx := context.Background()
	var out []event.Event
	for {
		b, err := e.Service.Events.Claim(ctx, EventsConsumer, "clienteletest", 1000, time.Minute)
		e.must(err, "claim events")
		if len(b.Events) == 0 {
			return out
		}
		out = append(out, b.Events...)
		e.must(e.Service.Events.Ack(ctx, b), "acknowledge events")
	}
}

// TakeEventTypes is TakeEvents that returns the events' types only, or nil
// when there were none.
func (e *Env) TakeEventTypes() []event.Type {
	e.TB.Helper()
	var out []event.Type
	for _, ev := range e.TakeEvents() {
		out = append(out, ev.Type)
	}
	return out
}
