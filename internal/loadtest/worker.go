package loadtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/page"
)

// maxAttempts bounds how often a host retries a call that returned
// CommitUnknown or Unavailable.
const maxAttempts = 6

// callTimeout bounds a call that has no random deadline, so that a wedged
// call shows up as an error instead of hanging the run.
const callTimeout = 15 * time.Second

type worker struct {
	r   *run
	id  int
	rng *rand.Rand
}

type op struct {
	name   string
	weight int
	fn     func(w *worker)
}

var ops = []op{
	{"register", 6, (*worker).register},
	{"guest", 5, (*worker).guest},
	{"invite", 2, (*worker).invite},
	{"get", 6, (*worker).get},
	{"update", 6, (*worker).update},
	{"state", 2, (*worker).state},
	{"delete", 1, (*worker).delete},
	{"erase", 1, (*worker).erase},
	{"address_add", 6, (*worker).addressAdd},
	{"address_update", 3, (*worker).addressUpdate},
	{"address_remove", 3, (*worker).addressRemove},
	{"address_set_default", 4, (*worker).addressSetDefault},
	{"group_create", 1, (*worker).groupCreate},
	{"group_add_members", 3, (*worker).groupAdd},
	{"group_remove_members", 2, (*worker).groupRemove},
	{"credit", 8, (*worker).credit},
	{"debit", 5, (*worker).debit},
	{"apply_to_order", 5, (*worker).apply},
	{"order_record", 5, (*worker).orderRecord},
	{"order_set_status", 3, (*worker).orderStatus},
	{"order_claim", 2, (*worker).claim},
	{"customer_merge", 1, (*worker).merge},
	{"list", 5, (*worker).list},
	{"merchant_market_create", 1, (*worker).merchantMarket},
	{"account_set_password", 2, (*worker).setPassword},
	{"account_login", 4, (*worker).login},
	{"account_reset", 1, (*worker).reset},
}

var totalWeight = func() int {
	n := 0
	for _, o := range ops {
		n += o.weight
	}
	return n
}()

func (w *worker) step(context.Context) {
	n := w.rng.IntN(totalWeight)
	for _, o := range ops {
		if n < o.weight {
			o.fn(w)
			return
		}
		n -= o.weight
	}
}

// ctx returns the context of one call: on a first attempt, sometimes a
// short random deadline; always a bound.
func (w *worker) ctx(first bool) (context.Context, context.CancelFunc) {
	if first && w.rng.Float64() < w.r.cfg.DeadlineShare {
		return context.WithTimeout(context.Background(), time.Duration(w.rng.Int64N(int64(w.r.cfg.MaxDeadline)+1)))
	}
	return context.WithTimeout(context.Background(), callTimeout)
}

func (w *worker) key(kind string) string {
	return fmt.Sprintf("%s-%d-%d", kind, w.id, w.r.seq.Add(1))
}

// retried runs call the way a host should: on CommitUnknown it repeats the
// call (which carries the same idempotency key, or is idempotent by ID);
// on Unavailable, which says nothing was stored, it tries again too. It
// returns the last error and whether a CommitUnknown was seen.
func (w *worker) retried(op string, call func(ctx context.Context) error) (err error, sawCU bool) {
	for attempt := range maxAttempts {
		ctx, cancel := w.ctx(attempt == 0)
		err = call(ctx)
		cancel()
		name := op
		if attempt > 0 {
			name += "_retry"
		}
		w.r.record(name, err)
		switch errcode.Of(err) {
		case errcode.OK:
			if sawCU {
				w.r.mu.Lock()
				w.r.cuOK++
				w.r.mu.Unlock()
			}
			return nil, sawCU
		case errcode.CommitUnknown:
			sawCU = true
		case errcode.Unavailable:
		case errcode.NotFound:
			if sawCU && op == "delete" {
				// The delete that answered CommitUnknown did commit.
				w.r.mu.Lock()
				w.r.cuOK++
				w.r.mu.Unlock()
			}
			return err, sawCU
		default:
			return err, sawCU
		}
	}
	return err, sawCU
}

// once makes one call without retries.
func (w *worker) once(op string, call func(ctx context.Context) error) error {
	ctx, cancel := w.ctx(true)
	defer cancel()
	err := call(ctx)
	w.r.record(op, err)
	return err
}

func (w *worker) customer() (uuid.UUID, bool) {
	w.r.mu.Lock()
	defer w.r.mu.Unlock()
	if len(w.r.customers) == 0 {
		return uuid.Nil, false
	}
	// Favour recent customers, who are more often live.
	n := len(w.r.customers)
	if n > 200 && w.rng.IntN(4) > 0 {
		return w.r.customers[n-1-w.rng.IntN(200)], true
	}
	return w.r.customers[w.rng.IntN(n)], true
}

func (w *worker) pick(list *[]uuid.UUID) (uuid.UUID, bool) {
	w.r.mu.Lock()
	defer w.r.mu.Unlock()
	ids := *list
	if len(ids) == 0 {
		return uuid.Nil, false
	}
	return ids[w.rng.IntN(len(ids))], true
}

func (w *worker) params(idx int) customer.Params {
	return customer.Params{
		Email: email(idx, w.rng), FirstName: "Ada", LastName: fmt.Sprintf("Load%d", idx),
		Phone: "+49301234567", Company: "Load GmbH", Note: "a note",
		Tags:     []string{[]string{"vip", "b2b", "new"}[w.rng.IntN(3)]},
		Metadata: map[string]string{"source": "load", "n": fmt.Sprint(idx)},
	}
}

func (w *worker) addCustomer(c customer.Customer, idx int) {
	w.r.mu.Lock()
	defer w.r.mu.Unlock()
	w.r.customers = append(w.r.customers, c.ID)
	if c.HasAccount {
		w.r.registered[idx] = append(w.r.registered[idx], c.ID)
	} else {
		w.r.guests[idx] = append(w.r.guests[idx], c.ID)
	}
}

func (w *worker) register() {
	idx := w.rng.IntN(w.r.cfg.Emails)
	p, key := w.params(idx), w.key("reg")
	var c customer.Customer
	err, _ := w.retried("register", func(ctx context.Context) (err error) {
		c, err = w.r.svc.Customers.Register(ctx, p, clientele.IdempotencyKey(key))
		return err
	})
	if err == nil {
		w.addCustomer(c, idx)
	}
}

func (w *worker) invite() {
	idx := w.rng.IntN(w.r.cfg.Emails)
	p, key := w.params(idx), w.key("inv")
	var c customer.Customer
	err, _ := w.retried("invite", func(ctx context.Context) (err error) {
		c, err = w.r.svc.Customers.Invite(ctx, p, clientele.IdempotencyKey(key))
		return err
	})
	if err == nil {
		w.addCustomer(c, idx)
	}
}

func (w *worker) guest() {
	idx := w.rng.IntN(w.r.cfg.Emails)
	p := w.params(idx)
	var c customer.Customer
	// CreateGuest is idempotent by email: it returns the live guest.
	err, _ := w.retried("guest", func(ctx context.Context) (err error) {
		c, _, err = w.r.svc.Customers.CreateGuest(ctx, p)
		return err
	})
	if err == nil {
		w.addCustomer(c, idx)
	}
}

func (w *worker) get() {
	id, ok := w.customer()
	if !ok {
		return
	}
	_ = w.once("get", func(ctx context.Context) error {
		_, err := w.r.svc.Customers.Get(ctx, id)
		return err
	})
}

func (w *worker) update() {
	id, ok := w.customer()
	if !ok {
		return
	}
	var c customer.Customer
	if w.once("get", func(ctx context.Context) (err error) { c, err = w.r.svc.Customers.Get(ctx, id); return err }) != nil {
		return
	}
	name := fmt.Sprintf("Ada%d", w.rng.IntN(1000))
	v := fmt.Sprint(w.rng.IntN(1000))
	tags := []string{"vip"}
	p := customer.Patch{FirstName: &name, Metadata: map[string]*string{"v": &v}, Tags: &tags}
	_ = w.once("update_if_version", func(ctx context.Context) error {
		_, err := w.r.svc.Customers.Update(ctx, id, p, clientele.IfVersion(c.Version))
		return err
	})
}

func (w *worker) state() {
	id, ok := w.customer()
	if !ok {
		return
	}
	_ = w.once("state", func(ctx context.Context) (err error) {
		switch w.rng.IntN(3) {
		case 0:
			_, err = w.r.svc.Customers.Disable(ctx, id)
		case 1:
			_, err = w.r.svc.Customers.Enable(ctx, id)
		default:
			_, err = w.r.svc.Customers.Activate(ctx, id)
		}
		return err
	})
}

func (w *worker) delete() {
	if id, ok := w.customer(); ok {
		_, _ = w.retried("delete", func(ctx context.Context) error { return w.r.svc.Customers.Delete(ctx, id) })
	}
}

func (w *worker) erase() {
	if id, ok := w.customer(); ok {
		_, _ = w.retried("erase", func(ctx context.Context) error {
			_, err := w.r.svc.Customers.Erase(ctx, id)
			return err
		})
	}
}

func (w *worker) addressAdd() {
	id, ok := w.customer()
	if !ok {
		return
	}
	a, key := addr(w.rng.IntN(1000)), w.key("addr")
	_, _ = w.retried("address_add", func(ctx context.Context) error {
		_, _, err := w.r.svc.Addresses.Add(ctx, id, a, clientele.IdempotencyKey(key))
		return err
	})
}

// entry reads a customer's book and picks one of its entries.
func (w *worker) entry() (uuid.UUID, uuid.UUID, bool) {
	id, ok := w.customer()
	if !ok {
		return uuid.Nil, uuid.Nil, false
	}
	var b address.Book
	if w.once("address_book", func(ctx context.Context) (err error) { b, err = w.r.svc.Addresses.Book(ctx, id); return err }) != nil || len(b.Entries) == 0 {
		return uuid.Nil, uuid.Nil, false
	}
	return id, b.Entries[w.rng.IntN(len(b.Entries))].ID, true
}

func (w *worker) addressUpdate() {
	if id, e, ok := w.entry(); ok {
		line2 := fmt.Sprintf("Floor %d", w.rng.IntN(10))
		_ = w.once("address_update", func(ctx context.Context) error {
			_, _, err := w.r.svc.Addresses.Update(ctx, id, e, address.Patch{Line2: &line2})
			return err
		})
	}
}

func (w *worker) addressRemove() {
	if id, e, ok := w.entry(); ok {
		_ = w.once("address_remove", func(ctx context.Context) error {
			_, err := w.r.svc.Addresses.Remove(ctx, id, e)
			return err
		})
	}
}

func (w *worker) addressSetDefault() {
	if id, e, ok := w.entry(); ok {
		k := address.Kinds()[w.rng.IntN(len(address.Kinds()))]
		_ = w.once("address_set_default", func(ctx context.Context) error {
			_, err := w.r.svc.Addresses.SetDefault(ctx, id, e, k)
			return err
		})
	}
}

func (w *worker) groupCreate() {
	key := w.key("grp")
	p := clientele.GroupParams{Name: "Group " + key, Description: "load"}
	var g struct{ ID uuid.UUID }
	err, _ := w.retried("group_create", func(ctx context.Context) error {
		gr, err := w.r.svc.Groups.Create(ctx, p, clientele.IdempotencyKey(key))
		g.ID = gr.ID
		return err
	})
	if err == nil {
		w.r.mu.Lock()
		w.r.groups = append(w.r.groups, g.ID)
		w.r.mu.Unlock()
	}
}

func (w *worker) members() (uuid.UUID, []uuid.UUID, bool) {
	g, ok := w.pick(&w.r.groups)
	if !ok {
		return uuid.Nil, nil, false
	}
	var ids []uuid.UUID
	for range 1 + w.rng.IntN(5) {
		if id, ok := w.customer(); ok {
			ids = append(ids, id)
		}
	}
	return g, ids, len(ids) > 0
}

func (w *worker) groupAdd() {
	if g, ids, ok := w.members(); ok {
		_, _ = w.retried("group_add_members", func(ctx context.Context) error {
			_, err := w.r.svc.Groups.AddMembers(ctx, g, ids)
			return err
		})
	}
}

func (w *worker) groupRemove() {
	if g, ids, ok := w.members(); ok {
		_, _ = w.retried("group_remove_members", func(ctx context.Context) error {
			_, err := w.r.svc.Groups.RemoveMembers(ctx, g, ids)
			return err
		})
	}
}

func (w *worker) money(max int64) balance.Money {
	cur := "EUR"
	if w.rng.IntN(4) == 0 {
		cur = "USD"
	}
	return balance.FromMinorUnits(100+w.rng.Int64N(max*100), balance.MustCurrency(cur))
}

// post makes one posting request the way a host should and logs its
// outcome: an acknowledgement, a definite failure, or (after every retry
// returned CommitUnknown) nothing known.
func (w *worker) post(op string, id uuid.UUID, cur string, call func(ctx context.Context, key string) (*balance.Posting, error)) {
	key := w.key(op)
	var p *balance.Posting
	err, sawCU := w.retried(op, func(ctx context.Context) (err error) {
		p, err = call(ctx, key)
		return err
	})
	w.r.mu.Lock()
	defer w.r.mu.Unlock()
	switch c := errcode.Of(err); {
	case err == nil && p != nil:
		w.r.acks = append(w.r.acks, ack{customer: id, currency: cur, key: key, postingID: p.ID, amount: p.Amount.String()})
	case err != nil && !sawCU && c != errcode.CommitUnknown:
		w.r.failures = append(w.r.failures, failure{customer: id, currency: cur, key: key, code: c})
	}
}

func (w *worker) credit() {
	id, ok := w.customer()
	if !ok {
		return
	}
	amount := w.money(50)
	w.post("credit", id, amount.Currency().Code(), func(ctx context.Context, key string) (*balance.Posting, error) {
		p, err := w.r.svc.Balances.Credit(ctx, clientele.PostingRequest{
			CustomerID: id, Amount: amount, Kind: balance.KindAdjustment, IdempotencyKey: key, Actor: "load",
		})
		return &p, err
	})
}

func (w *worker) debit() {
	id, ok := w.customer()
	if !ok {
		return
	}
	amount := w.money(20)
	w.post("debit", id, amount.Currency().Code(), func(ctx context.Context, key string) (*balance.Posting, error) {
		p, err := w.r.svc.Balances.Debit(ctx, clientele.PostingRequest{
			CustomerID: id, Amount: amount, Kind: balance.KindAdjustment, IdempotencyKey: key, Actor: "load",
		})
		return &p, err
	})
}

func (w *worker) apply() {
	id, ok := w.customer()
	if !ok {
		return
	}
	total := w.money(60)
	ref := fmt.Sprintf("order-%d", w.r.seq.Add(1))
	w.post("apply_to_order", id, total.Currency().Code(), func(ctx context.Context, key string) (*balance.Posting, error) {
		r, err := w.r.svc.Balances.ApplyToOrder(ctx, clientele.OrderPaymentRequest{
			CustomerID: id, Total: total, Reference: ref, IdempotencyKey: key, Actor: "load",
		})
		return r.Posting, err
	})
}

func (w *worker) orderRecord() {
	id, ok := w.customer()
	if !ok {
		return
	}
	mk, _ := w.pick(&w.r.markets)
	oid := fmt.Sprintf("o-%d-%d", w.id, w.r.seq.Add(1))
	p := order.Params{
		ID: oid, CustomerID: id, Number: oid, Total: balance.FromMinorUnits(100+w.rng.Int64N(10000), balance.MustCurrency("EUR")),
		MarketID: mk, Channel: "web",
	}
	// RecordPlaced is idempotent by order ID: a retry is safe.
	err, _ := w.retried("order_record", func(ctx context.Context) error {
		_, err := w.r.svc.Orders.RecordPlaced(ctx, p)
		return err
	})
	if err == nil {
		w.r.mu.Lock()
		w.r.orders = append(w.r.orders, oid)
		w.r.mu.Unlock()
	}
}

func (w *worker) orderStatus() {
	w.r.mu.Lock()
	if len(w.r.orders) == 0 {
		w.r.mu.Unlock()
		return
	}
	oid := w.r.orders[w.rng.IntN(len(w.r.orders))]
	w.r.mu.Unlock()
	var o order.Order
	if w.once("order_get", func(ctx context.Context) (err error) { o, err = w.r.svc.Orders.Get(ctx, oid); return err }) != nil {
		return
	}
	next := o.Status.Transitions()
	if len(next) == 0 {
		return
	}
	to := next[w.rng.IntN(len(next))]
	_, _ = w.retried("order_set_status", func(ctx context.Context) error {
		_, err := w.r.svc.Orders.SetStatus(ctx, oid, to)
		return err
	})
}

func (w *worker) claim() {
	idx := w.rng.IntN(w.r.cfg.Emails)
	w.r.mu.Lock()
	gs, rs := w.r.guests[idx], w.r.registered[idx]
	w.r.mu.Unlock()
	if len(gs) == 0 || len(rs) == 0 {
		return
	}
	g, _ := w.pick(&gs)
	c, _ := w.pick(&rs)
	// Claim moves the guest's orders; repeating it moves none.
	_, _ = w.retried("order_claim", func(ctx context.Context) error {
		_, _, err := w.r.svc.Orders.Claim(actor.NewContext(ctx, actor.System("loadtest")), g, c)
		return err
	})
}

// merge merges a guest into a registered customer of the same email
// index (a duplicate support found); repeating it changes nothing.
func (w *worker) merge() {
	idx := w.rng.IntN(w.r.cfg.Emails)
	w.r.mu.Lock()
	gs, rs := w.r.guests[idx], w.r.registered[idx]
	w.r.mu.Unlock()
	if len(gs) == 0 || len(rs) == 0 {
		return
	}
	g, _ := w.pick(&gs)
	c, _ := w.pick(&rs)
	_, _ = w.retried("customer_merge", func(ctx context.Context) error {
		_, err := w.r.svc.Customers.Merge(actor.NewContext(ctx, actor.System("loadtest")), g, c)
		return err
	})
}

func (w *worker) list() {
	id, _ := w.customer()
	switch w.rng.IntN(5) {
	case 0:
		f := customer.Filter{Tags: []string{"vip"}}
		if w.rng.IntN(2) == 0 {
			f = customer.Filter{Email: email(w.rng.IntN(w.r.cfg.Emails), w.rng), IncludeDeleted: true}
		}
		var next string
		_ = w.once("list_customers", func(ctx context.Context) error {
			p, err := w.r.svc.Customers.List(ctx, f, page.Request{Limit: 20})
			next = p.Next
			return err
		})
		if next != "" {
			_ = w.once("list_customers", func(ctx context.Context) error {
				_, err := w.r.svc.Customers.List(ctx, f, page.Request{Limit: 20, Cursor: next})
				return err
			})
		}
	case 1:
		_ = w.once("list_postings", func(ctx context.Context) error {
			_, err := w.r.svc.Balances.History(ctx, id, balance.MustCurrency("EUR"), page.Request{Limit: 20})
			return err
		})
	case 2:
		_ = w.once("list_orders", func(ctx context.Context) error {
			_, err := w.r.svc.Orders.History(ctx, id, page.Request{Limit: 20})
			return err
		})
	case 3:
		if g, ok := w.pick(&w.r.groups); ok {
			_ = w.once("list_members", func(ctx context.Context) error {
				_, err := w.r.svc.Groups.Members(ctx, g, page.Request{Limit: 20})
				return err
			})
		}
	default:
		_ = w.once("list_groups_of", func(ctx context.Context) error {
			_, err := w.r.svc.Groups.GroupsOf(ctx, id, page.Request{Limit: 20})
			return err
		})
	}
}

func (w *worker) merchantMarket() {
	key := w.key("mm")
	var m merchant.Merchant
	err, _ := w.retried("merchant_create", func(ctx context.Context) (err error) {
		m, err = w.r.svc.Merchants.Create(ctx, merchant.Params{Name: "Merchant " + key, BillingAddress: addr(1)}, clientele.IdempotencyKey(key))
		return err
	})
	if err != nil {
		return
	}
	p := market.Params{MerchantID: m.ID, Code: key, Name: "Market " + key, BusinessModel: market.BusinessModelB2C, Currency: balance.MustCurrency("EUR")}
	if g, ok := w.pick(&w.r.groups); ok && w.rng.IntN(2) == 0 {
		p.AccessGroups = []uuid.UUID{g}
	}
	var mk market.Market
	err, _ = w.retried("market_create", func(ctx context.Context) (err error) {
		mk, err = w.r.svc.Markets.Create(ctx, p, clientele.IdempotencyKey(key))
		return err
	})
	if err == nil {
		w.r.mu.Lock()
		w.r.merchants = append(w.r.merchants, m.ID)
		w.r.markets = append(w.r.markets, mk.ID)
		w.r.mu.Unlock()
	}
}

// loadPassword is the password the load gives a registered customer.
func loadPassword(id uuid.UUID) string { return "load-password-" + id.String()[:8] }

func (w *worker) registeredCustomer() (uuid.UUID, bool) {
	w.r.mu.Lock()
	defer w.r.mu.Unlock()
	idx := w.rng.IntN(w.r.cfg.Emails)
	ids := w.r.registered[idx]
	if len(ids) == 0 {
		return uuid.Nil, false
	}
	return ids[w.rng.IntN(len(ids))], true
}

// setPassword sets a registered customer's password (staff), which the
// customer's record must then show.
func (w *worker) setPassword() {
	id, ok := w.registeredCustomer()
	if !ok {
		return
	}
	_, _ = w.retried("account_set_password", func(ctx context.Context) error {
		_, err := w.r.svc.Accounts.SetPassword(ctx, id, loadPassword(id))
		return err
	})
}

// login signs a customer in, with the right password or a wrong one; every
// refusal is credential.ErrInvalidCredentials (errcode.Unauthenticated).
func (w *worker) login() {
	id, ok := w.registeredCustomer()
	if !ok {
		return
	}
	c, err := w.r.eng.store.Customers().Get(context.Background(), id)
	if err != nil {
		return
	}
	pw := loadPassword(id)
	if w.rng.IntN(3) == 0 {
		pw = "wrong-password-1"
	}
	_ = w.once("account_login", func(ctx context.Context) error {
		_, err := w.r.svc.Accounts.Authenticate(ctx, c.Email.Display, pw)
		if errors.Is(err, credential.ErrInvalidCredentials) {
			return nil // an answer, not a failure of the library
		}
		return err
	})
}

// reset runs a password reset to the end: the token is redeemed once.
func (w *worker) reset() {
	id, ok := w.registeredCustomer()
	if !ok {
		return
	}
	c, err := w.r.eng.store.Customers().Get(context.Background(), id)
	if err != nil {
		return
	}
	var is clientele.Issued
	if err, _ := w.retried("account_reset_request", func(ctx context.Context) (err error) {
		is, err = w.r.svc.Accounts.RequestPasswordReset(ctx, c.Email.Display)
		return err
	}); err != nil {
		return
	}
	_ = w.once("account_reset", func(ctx context.Context) error {
		_, err := w.r.svc.Accounts.ResetPassword(ctx, is.Token, loadPassword(id))
		if errors.Is(err, credential.ErrTokenInvalid) {
			return nil // a decoy (the customer is not active), or revoked meanwhile
		}
		return err
	})
}
