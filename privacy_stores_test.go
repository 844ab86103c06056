package clientele_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/clienteletest"
	"github.com/clientele-go/clientele/company"
	"github.com/clientele-go/clientele/consent"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/operator"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/privacy"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/memory"
	"github.com/clientele-go/clientele/verification"
)

// subject is a customer that touches every feature, with the personal
// values an erasure must remove from everywhere they live.
type subject struct {
	c        customer.Customer
	dup      customer.Customer
	orderIDs []string
	values   []string // personal values, as stored (lower-case search)
}

// buildSubject creates the customer of the erasure tests on e.
func buildSubject(t *testing.T, e *clienteletest.Env) subject {
	t.Helper()
	ctx := context.Background()
	tok := fmt.Sprintf("zq%08d", rand.IntN(1e8))
	var s subject
	phone := fmt.Sprintf("+4930%08d", rand.IntN(1e8))
	dupPhone := fmt.Sprintf("+4940%08d", rand.IntN(1e8))
	c, err := e.Service.Accounts.Register(ctx, e.CustomerParams(
		clienteletest.Email("erin."+tok+"@example.com"), clienteletest.Name("Erinmae"+tok, "Quillfeather"+tok),
		clienteletest.Phone(phone), clienteletest.Business("Quillworks"+tok, "DE9"+tok[2:]),
		clienteletest.Note("note-"+tok), clienteletest.Metadata("loyalty", "meta-"+tok),
		clienteletest.Tags("tag"+tok), clienteletest.Reference("shop", "ref-"+tok)), clienteletest.Password)
	require.NoError(t, err)
	s.c = c
	s.values = append(s.values, "erin."+tok+"@example.com", "erinmae"+tok, "quillfeather"+tok, c.Phone,
		"quillworks"+tok, strings.ToLower(c.VATID), "note-"+tok, "meta-"+tok, "tag"+tok, "ref-"+tok)

	e.MustAddAddress(c.ID, address.Patch{FirstName: ptr("Addrfirst" + tok), LastName: ptr("Addrlast" + tok),
		Line1: ptr("12 Privet" + tok + " Drive"), City: ptr("Town" + tok), PostalCode: ptr("10115"), Country: ptr("DE"),
		Phone: ptr(phone)})
	s.values = append(s.values, "addrfirst"+tok, "addrlast"+tok, "privet"+tok, "town"+tok)

	g := e.MustGroup("Group " + tok)
	e.MustJoin(g.ID, c.ID)

	e.MustCredit(c.ID, "25.00 EUR")
	for i := range 2 {
		id := fmt.Sprintf("ord-%s-%d", tok, i)
		e.MustPlaceOrder(c.ID, id, "40.00 EUR")
		s.orderIDs = append(s.orderIDs, id)
	}
	e.MustRecordReturn(s.orderIDs[0], "ret-"+tok, "10.00 EUR")
	e.MustRecordRefund(s.orderIDs[0], "rfd-"+tok, "10.00 EUR")

	src := e.MustAddPaymentSource(c.ID, clienteletest.Card(clienteletest.WithToken("pm_"+tok),
		clienteletest.Billing(address.Patch{FirstName: ptr("Billfirst" + tok), Line1: ptr("Billing" + tok + " Street"),
			City: ptr("Billtown" + tok), PostalCode: ptr("10117"), Country: ptr("DE")})))
	e.MustRecordSubscription(c.ID, "sub-"+tok, "gold", src.ID)
	s.values = append(s.values, "pm_"+tok, "billfirst"+tok, "billing"+tok, "billtown"+tok)

	_, err = e.Service.Accounts.LinkIdentity(ctx, c.ID, "google", "subject-"+tok)
	require.NoError(t, err)
	s.values = append(s.values, "subject-"+tok)
	_, err = e.Service.Accounts.RequestPasswordReset(ctx, c.Email.Display)
	require.NoError(t, err)
	_, err = e.Service.Accounts.RequestEmailChange(ctx, c.ID, "next."+tok+"@example.com")
	require.NoError(t, err)
	s.values = append(s.values, "next."+tok+"@example.com")

	admin := e.MustRegister()
	co := e.MustCreateCompany(admin.ID)
	e.MustAddMember(admin.ID, co.ID, c.ID, company.RoleBuyer, company.Limits{})
	m, _ := e.MustVendor("Vendor " + tok)
	e.MustAddVendorMember(m.ID, c.ID, merchant.Staff)
	e.MustRelateCustomer(m.ID, c.ID)
	e.MustGrantOperator(c.ID, operator.Support)

	e.MustSubmitVerification(c.ID)
	e.MustRejectVerification(c.ID, "reason-"+tok)
	s.values = append(s.values, "reason-"+tok)

	ip := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0xfe, 0xed, 12: byte(rand.IntN(256)), 13: byte(rand.IntN(256)),
		14: byte(rand.IntN(256)), 15: 1}).String()
	e.MustDoubleOptIn(c.ID, consent.Email, consent.Newsletter, clienteletest.ConsentEvidence(consent.Evidence{
		Source: "signup-form", WordingVersion: "nl-2026", IP: ip, UserAgent: "agent-" + tok, Note: "consent-note-" + tok}))
	e.MustWithdrawConsent(c.ID, consent.SMS, consent.Marketing)
	s.values = append(s.values, ip, "agent-"+tok, "consent-note-"+tok)

	s.dup = e.MustGuest(clienteletest.Email("dup."+tok+"@example.com"), clienteletest.Name("Dupfirst"+tok, "Duplast"+tok),
		clienteletest.Phone(dupPhone), clienteletest.Note("dupnote-"+tok))
	e.MustAddAddress(s.dup.ID, address.Patch{Line1: ptr("7 Dupstreet" + tok), City: ptr("Duptown" + tok),
		PostalCode: ptr("20095"), Country: ptr("DE")})
	e.MustPlaceOrder(s.dup.ID, "ord-dup-"+tok, "5.00 EUR")
	e.MustMerge(s.dup.ID, c.ID)
	s.values = append(s.values, "dup."+tok+"@example.com", "dupfirst"+tok, "duplast"+tok, s.dup.Phone,
		"dupnote-"+tok, "dupstreet"+tok, "duptown"+tok)

	// A profile change, so that the trail holds before/after values.
	_, err = e.Service.Customers.Update(ctx, c.ID, customer.Patch{Note: ptr("second-note-" + tok)})
	require.NoError(t, err)
	s.values = append(s.values, "second-note-"+tok)
	return s
}

// outboxText reads every event in the outbox with a fresh consumer.
func outboxText(t *testing.T, e *clienteletest.Env, s storage.Store) string {
	t.Helper()
	ob, ok := s.(storage.Outbox)
	require.True(t, ok)
	var b strings.Builder
	name := "dump-" + uuid.NewString()
	for {
		batch, err := ob.Events().Claim(context.Background(), storage.Claim{Consumer: name, Holder: "t",
			Lease: 60e9, Max: storage.MaxClaim, Now: e.Clock.Now()})
		require.NoError(t, err)
		for _, ev := range batch.Events {
			b.Write(ev.Payload)
			b.WriteByte('\n')
		}
		if len(batch.Events) == 0 {
			break
		}
		require.NoError(t, ob.Events().Ack(context.Background(), name, "t", batch.Last()))
	}
	return b.String()
}

func auditText(t *testing.T, e *clienteletest.Env, id uuid.UUID) string {
	t.Helper()
	var b strings.Builder
	p := page.Request{Limit: page.MaxLimit}
	for {
		pg, err := e.Service.Events.Audit(context.Background(), id, p, clientele.ShowPersonalData())
		require.NoError(t, err)
		raw, err := json.Marshal(pg.Items)
		require.NoError(t, err)
		b.Write(raw)
		if pg.Next == "" {
			return b.String()
		}
		p.Cursor = pg.Next
	}
}

// The first "Must show" of issue 13: after Erase, a dump of every table
// (or of the memory store), of the outbox, of the audit trail and of the
// export holds none of the customer's personal values, on every engine.
func TestPrivacyEraseOnEveryStore(t *testing.T) {
	eachStore(t, func(t *testing.T, st storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(st))
		ctx := clientele.WithActor(context.Background(), actor.Staff("dpo-7"))

		t.Run("no personal value survives anywhere", func(t *testing.T) {
			s := buildSubject(t, e)
			before, err := e.Service.Privacy.Export(ctx, s.c.ID)
			require.NoError(t, err)
			raw, err := json.Marshal(before)
			require.NoError(t, err)
			where := map[string]string{
				"store":  strings.ToLower(dumpStore(t, st)),
				"outbox": strings.ToLower(outboxText(t, e, st)),
			}
			// The dumps read the data: every value is there before.
			for _, v := range s.values {
				assert.True(t, strings.Contains(where["store"], v), "%s is stored before the erasure", v)
			}
			for _, v := range []string{s.values[0], s.values[1], s.values[len(s.values)-1]} {
				assert.True(t, strings.Contains(where["outbox"], v), "%s is in the outbox before the erasure", v)
				assert.True(t, strings.Contains(strings.ToLower(string(raw)), v), "the export holds %s", v)
			}

			rec, err := e.Service.Privacy.Erase(ctx, s.c.ID, privacy.Request{Reason: "ticket DSR-42"})
			require.NoError(t, err)
			assert.Equal(t, s.c.ID, rec.CustomerID)
			assert.Equal(t, actor.Staff("dpo-7"), rec.Actor)
			assert.Equal(t, "ticket DSR-42", rec.Reason)
			assert.Equal(t, []uuid.UUID{s.dup.ID}, rec.Merged)

			after, err := e.Service.Privacy.Export(ctx, s.c.ID)
			require.NoError(t, err)
			raw, err = json.Marshal(after)
			require.NoError(t, err)
			where = map[string]string{
				"store":  strings.ToLower(dumpStore(t, st)),
				"outbox": strings.ToLower(outboxText(t, e, st)),
				"audit":  strings.ToLower(auditText(t, e, s.c.ID) + auditText(t, e, s.dup.ID)),
				"export": strings.ToLower(string(raw)),
			}
			var leaks []string
			for name, text := range where {
				for _, v := range s.values {
					if strings.Contains(text, v) {
						leaks = append(leaks, name+": "+v)
					}
				}
			}
			assert.Empty(t, leaks, "personal values after the erasure")
			// The ledger and the orders stay under the pseudonymous ID.
			assert.Len(t, after.Orders, 3)
			require.Len(t, after.Balances, 1)
			assert.NotEmpty(t, after.Balances[0].Postings)
			assert.Equal(t, []privacy.Erasure{rec}, after.Erasures)
			assert.Contains(t, where["outbox"], "ticket dsr-42", "customer.erased carries the reason")
			// The proof of consent stays, anonymized: what was agreed,
			// when, from where, under which wording.
			require.Len(t, after.Consents, len(before.Consents))
			require.Len(t, after.Consents, 3)
			for i, r := range after.Consents {
				b := before.Consents[i]
				assert.Equal(t, b.Anonymized(), r, "record %d keeps all but IP, user agent and note", i)
				assert.Equal(t, s.c.ID, r.CustomerID)
			}
			assert.Equal(t, consent.Pending, after.Consents[0].Status)
			assert.Equal(t, consent.Granted, after.Consents[1].Status)
			assert.Equal(t, after.Consents[0].ID, after.Consents[1].Confirms)
			assert.Equal(t, "signup-form", after.Consents[1].Source)
			assert.Equal(t, "nl-2026", after.Consents[1].WordingVersion)
			assert.NotEmpty(t, before.Consents[0].IP, "the IP was there before")

			// The email is free again.
			_, err = e.Service.Accounts.Register(context.Background(), customer.Params{Email: s.c.Email.Display}, clienteletest.Password)
			require.NoError(t, err)

			// Idempotent: the second erasure writes nothing and returns the first record.
			n := len(outboxText(t, e, st))
			again, err := e.Service.Privacy.Erase(ctx, s.c.ID, privacy.Request{Reason: "another"})
			require.NoError(t, err)
			assert.Equal(t, rec, again)
			assert.Equal(t, n, len(outboxText(t, e, st)))
			recs, err := e.Service.Privacy.Erasures(ctx, s.c.ID)
			require.NoError(t, err)
			assert.Equal(t, []privacy.Erasure{rec}, recs)
		})

		t.Run("clienteletest.MustErase records the back office", func(t *testing.T) {
			c := e.MustRegister()
			rec := e.MustErase(c.ID, "test")
			assert.Equal(t, actor.Staff("clienteletest"), rec.Actor)
			assert.Equal(t, c.ID, rec.CustomerID)
		})

		t.Run("sessions end and tokens are revoked", func(t *testing.T) {
			c := e.MustRegisterAccount()
			login := e.MustLogIn(c)
			reset, err := e.Service.Accounts.RequestPasswordReset(ctx, c.Email.Display)
			require.NoError(t, err)
			_, err = e.Service.Privacy.Erase(ctx, c.ID, privacy.Request{})
			require.NoError(t, err)
			_, err = e.Service.Accounts.ResetPassword(ctx, reset.Token, "a-new-Passw0rd-123")
			assert.Error(t, err)
			// A host's session check reads the credentials: they are gone.
			_, err = e.Service.Accounts.Credentials(ctx, c.ID)
			assert.Error(t, err)
			_ = login
		})

		t.Run("export round-trips through JSON and unknown IDs are not found", func(t *testing.T) {
			s := buildSubject(t, e)
			doc, err := e.Service.Privacy.Export(ctx, s.c.ID)
			require.NoError(t, err)
			assert.Equal(t, privacy.Version, doc.Version)
			assert.Len(t, doc.Orders, 3)
			require.NotNil(t, doc.Identities)
			assert.True(t, doc.Identities.HasPassword)
			assert.Len(t, doc.Identities.Linked, 1)
			assert.Len(t, doc.Merges, 1)
			assert.Len(t, doc.Companies, 1)
			require.NotNil(t, doc.Marketplace)
			assert.Len(t, doc.Marketplace.Memberships, 1)
			assert.Len(t, doc.Marketplace.Relations, 1)
			assert.NotNil(t, doc.Marketplace.Operator)
			require.NotNil(t, doc.Verification)
			assert.Equal(t, verification.Rejected, doc.Verification.Current.Status)
			assert.NotEmpty(t, doc.Audit)
			assert.Len(t, doc.PaymentSources, 1)
			assert.Len(t, doc.Subscriptions, 1)
			assert.Len(t, doc.Groups, 1)
			assert.Len(t, doc.Orders[len(doc.Orders)-1].Returns, 0)
			raw, err := json.Marshal(doc)
			require.NoError(t, err)
			assert.NotContains(t, string(raw), "$argon2id$", "never the hash")
			var back privacy.Document
			require.NoError(t, json.Unmarshal(raw, &back))
			again, err := json.Marshal(back)
			require.NoError(t, err)
			assert.JSONEq(t, string(raw), string(again))

			_, err = e.Service.Privacy.Export(ctx, uuid.New())
			assert.ErrorIs(t, err, customer.ErrNotFound)
			_, err = e.Service.Privacy.Erase(ctx, uuid.New(), privacy.Request{})
			assert.ErrorIs(t, err, customer.ErrNotFound)
		})

		t.Run("a bad reason or a cancelled context writes nothing", func(t *testing.T) {
			c := e.MustRegister()
			_, err := e.Service.Privacy.Erase(ctx, c.ID, privacy.Request{Reason: strings.Repeat("x", privacy.MaxReason+1)})
			assert.ErrorIs(t, err, privacy.ErrInvalid)
			cancelled, cancel := context.WithCancel(ctx)
			cancel()
			_, err = e.Service.Privacy.Erase(cancelled, c.ID, privacy.Request{})
			assert.Error(t, err)
			got, err := e.Service.Customers.Get(ctx, c.ID)
			require.NoError(t, err)
			assert.Equal(t, c.Email, got.Email)
			recs, err := e.Service.Privacy.Erasures(ctx, c.ID)
			require.NoError(t, err)
			assert.Empty(t, recs)
		})

		t.Run("8 concurrent erasures of one customer record one erasure", func(t *testing.T) {
			c := e.MustRegister()
			e.MustPlaceOrder(c.ID, "race-"+c.ID.String(), "3.00 EUR")
			var (
				wg   sync.WaitGroup
				mu   sync.Mutex
				recs []privacy.Erasure
			)
			for i := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r, err := e.Service.Privacy.Erase(ctx, c.ID, privacy.Request{Reason: fmt.Sprintf("racer %d", i)})
					if assert.NoError(t, err) {
						mu.Lock()
						recs = append(recs, r)
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			require.Len(t, recs, 8)
			for _, r := range recs[1:] {
				assert.Equal(t, recs[0], r)
			}
			stored, err := e.Service.Privacy.Erasures(ctx, c.ID)
			require.NoError(t, err)
			assert.Equal(t, recs[:1], stored)
			erased := 0
			trail, err := e.Service.Events.Audit(ctx, c.ID, page.Request{Limit: page.MaxLimit})
			require.NoError(t, err)
			for _, ev := range trail.Items {
				if ev.Type == event.CustomerErased {
					erased++
				}
			}
			assert.Equal(t, 1, erased)
		})

		t.Run("an erasure racing an update: the update loses or lands before and is scrubbed", func(t *testing.T) {
			for range 4 {
				c := e.MustRegister()
				secret := "racing-note-" + c.ID.String()[:8]
				var wg sync.WaitGroup
				wg.Add(2)
				var updErr error
				go func() {
					defer wg.Done()
					_, updErr = e.Service.Customers.Update(ctx, c.ID, customer.Patch{Note: &secret})
				}()
				go func() {
					defer wg.Done()
					_, err := e.Service.Privacy.Erase(ctx, c.ID, privacy.Request{})
					assert.NoError(t, err)
				}()
				wg.Wait()
				if updErr != nil {
					assert.True(t, errors.Is(updErr, customer.ErrErased) || errors.Is(updErr, customer.ErrNotFound), "%v", updErr)
				}
				assert.NotContains(t, dumpStore(t, st), secret)
			}
		})
	})
}

// A store with no capability beyond the core contract: Export returns the
// core sections and leaves the others absent; Erase still erases the
// record and the address book, records nothing, and says so on Erasures.
func TestPrivacyWithoutCapabilities(t *testing.T) {
	ctx := context.Background()
	svc := clientele.New(lacking{memory.New()}, clientele.WithConfusableEmails(true))
	c, err := svc.Customers.Register(ctx, customer.Params{Email: "bare@example.com", FirstName: "Bare"})
	require.NoError(t, err)
	doc, err := svc.Privacy.Export(ctx, c.ID)
	require.NoError(t, err)
	raw, err := json.Marshal(doc)
	require.NoError(t, err)
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &m))
	for _, k := range []string{"identities", "marketplace", "verification", "payment_sources", "subscriptions",
		"companies", "merges", "audit", "erasures"} {
		assert.NotContains(t, m, k)
	}
	assert.Contains(t, string(raw), "bare@example.com")

	rec, err := svc.Privacy.Erase(ctx, c.ID, privacy.Request{Reason: "r"})
	require.NoError(t, err)
	assert.Equal(t, c.ID, rec.CustomerID)
	got, err := svc.Customers.GetAny(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, customer.StateErased, got.State)
	assert.Empty(t, got.FirstName)
	_, err = svc.Privacy.Erasures(ctx, c.ID)
	assert.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Privacy.Erase(ctx, c.ID, privacy.Request{})
	assert.NoError(t, err, "erasing again is a no-op")
}
