package customer_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/customer"
)

var (
	testID = uuid.MustParse("6f1c2a4e-8a1b-4c55-9d0e-2b7f4a9c1d30")
	t0     = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	t1     = t0.Add(time.Hour)
	t2     = t0.Add(2 * time.Hour)
)

func fullParams() customer.Params {
	return customer.Params{
		Email:           "  Anna.Muster@Bücher.DE ",
		Type:            customer.TypeBusiness,
		FirstName:       " Anna ",
		LastName:        "Muster",
		Phone:           "+49 30 1234567",
		Company:         "Bücher GmbH",
		VATID:           " de 123 456 789 ",
		Note:            "Prefers invoices.\nCall before delivery.",
		Tags:            []string{" VIP", "wholesale", "vip "},
		Metadata:        map[string]string{"crm_id": "42"},
		Reference:       "C-1001",
		ReferenceOrigin: "erp",
	}
}

func TestNewRegisteredNormalizes(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	c, err := customer.NewRegistered(testID, fullParams(), t0.In(berlin))
	require.NoError(t, err)

	assert.Equal(t, testID, c.ID)
	assert.Equal(t, "anna.muster@xn--bcher-kva.de", c.Email.Address)
	assert.Equal(t, "Anna.Muster@Bücher.DE", c.Email.Display)
	assert.True(t, c.HasAccount)
	assert.Equal(t, customer.StateActive, c.State)
	assert.Equal(t, customer.StatusProspect, c.Status)
	assert.Equal(t, customer.TypeBusiness, c.Type)
	assert.True(t, c.PricesExcludeVAT())
	assert.Equal(t, "Anna", c.FirstName)
	assert.Equal(t, "Anna Muster", c.Name())
	assert.Equal(t, "+49301234567", c.Phone)
	assert.Equal(t, "DE123456789", c.VATID)
	assert.Equal(t, "Prefers invoices.\nCall before delivery.", c.Note)
	assert.Equal(t, []string{"vip", "wholesale"}, c.Tags)
	assert.Equal(t, map[string]string{"crm_id": "42"}, c.Metadata)
	assert.Equal(t, "C-1001", c.Reference)
	assert.Equal(t, "erp", c.ReferenceOrigin)
	assert.Equal(t, 0, c.OrderCount)
	assert.Equal(t, t0, c.CreatedAt)
	assert.Equal(t, time.UTC, c.CreatedAt.Location(), "times are converted to UTC")
	assert.Equal(t, time.UTC, c.UpdatedAt.Location())
	assert.Nil(t, c.DeletedAt)
	assert.Equal(t, int64(0), c.Version, "storage sets the version")
	require.NoError(t, c.Validate())
}

func TestConstructorsSetAccountAndState(t *testing.T) {
	p := customer.Params{Email: "bob@example.com"}
	g, err := customer.NewGuest(testID, p, t0)
	require.NoError(t, err)
	assert.False(t, g.HasAccount)
	assert.Equal(t, customer.StateGuest, g.State)
	assert.Equal(t, customer.StatusProspect, g.Status)
	assert.Equal(t, customer.TypePrivate, g.Type, "zero Type means private")
	assert.False(t, g.PricesExcludeVAT())
	assert.Nil(t, g.Tags)
	assert.Nil(t, g.Metadata)

	i, err := customer.NewInvited(testID, p, t0)
	require.NoError(t, err)
	assert.True(t, i.HasAccount)
	assert.Equal(t, customer.StateInvited, i.State)

	r, err := customer.NewRegistered(testID, p, t0)
	require.NoError(t, err)
	assert.True(t, r.HasAccount)
	assert.Equal(t, customer.StateActive, r.State)
}

func TestConstructorsDoNotShareInput(t *testing.T) {
	p := fullParams()
	c, err := customer.NewGuest(testID, p, t0)
	require.NoError(t, err)
	p.Metadata["crm_id"] = "changed"
	p.Tags[1] = "changed"
	assert.Equal(t, "42", c.Metadata["crm_id"])
	assert.Equal(t, []string{"vip", "wholesale"}, c.Tags)
}

func TestConstructorRejects(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name   string
		id     uuid.UUID
		modify func(*customer.Params)
		now    time.Time
		field  string
	}{
		{"nil id", uuid.Nil, func(*customer.Params) {}, t0, "id"},
		{"zero time", testID, func(*customer.Params) {}, time.Time{}, "created_at"},
		{"missing email", testID, func(p *customer.Params) { p.Email = "" }, t0, "email"},
		{"bad email", testID, func(p *customer.Params) { p.Email = "Bob <bob@example.com>" }, t0, "email"},
		{"invalid type", testID, func(p *customer.Params) { p.Type = 7 }, t0, "type"},
		{"VAT ID for private", testID, func(p *customer.Params) { p.Type = customer.TypePrivate; p.VATID = "DE123" }, t0, "vat_id"},
		{"VAT ID with bad characters", testID, func(p *customer.Params) { p.VATID = "DE#123" }, t0, "vat_id"},
		{"VAT ID too long", testID, func(p *customer.Params) { p.VATID = long(51) }, t0, "vat_id"},
		{"first name too long", testID, func(p *customer.Params) { p.FirstName = long(101) }, t0, "first_name"},
		{"last name control char", testID, func(p *customer.Params) { p.LastName = "Mu\x00ster" }, t0, "last_name"},
		{"last name multi-line", testID, func(p *customer.Params) { p.LastName = "Mu\nster" }, t0, "last_name"},
		{"first name invalid UTF-8", testID, func(p *customer.Params) { p.FirstName = "\xff" }, t0, "first_name"},
		{"company too long", testID, func(p *customer.Params) { p.Company = long(201) }, t0, "company"},
		{"note too long", testID, func(p *customer.Params) { p.Note = long(5001) }, t0, "note"},
		{"note control char", testID, func(p *customer.Params) { p.Note = "a\x07b" }, t0, "note"},
		{"phone without plus", testID, func(p *customer.Params) { p.Phone = "030 1234567" }, t0, "phone"},
		{"phone garbage", testID, func(p *customer.Params) { p.Phone = "+hello" }, t0, "phone"},
		{"bad tag", testID, func(p *customer.Params) { p.Tags = []string{"a,b"} }, t0, "tags"},
		{"too many metadata keys", testID, func(p *customer.Params) { p.Metadata = manyKeys(51) }, t0, "metadata"},
		{"reference without origin", testID, func(p *customer.Params) { p.ReferenceOrigin = "" }, t0, "reference_origin"},
		{"origin without reference", testID, func(p *customer.Params) { p.Reference = " " }, t0, "reference"},
		{"reference too long", testID, func(p *customer.Params) { p.Reference = long(256) }, t0, "reference"},
		{"origin too long", testID, func(p *customer.Params) { p.ReferenceOrigin = long(256) }, t0, "reference_origin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fullParams()
			tt.modify(&p)
			for _, ctor := range []func(uuid.UUID, customer.Params, time.Time) (customer.Customer, error){
				customer.NewGuest, customer.NewRegistered, customer.NewInvited,
			} {
				c, err := ctor(tt.id, p, tt.now)
				requireFieldError(t, err, tt.field)
				assert.Zero(t, c)
			}
		})
	}
}

func TestFieldLimitsAtTheBoundary(t *testing.T) {
	p := fullParams()
	p.FirstName = strings.Repeat("n", 100)
	p.LastName = strings.Repeat("ü", 50) // 100 bytes
	p.Company = strings.Repeat("c", 200)
	p.VATID = strings.Repeat("V", 50)
	p.Note = strings.Repeat("line\n", 999) + "line" // 4999 bytes
	p.Reference = strings.Repeat("r", 255)
	p.ReferenceOrigin = strings.Repeat("o", 255)
	p.Metadata = manyKeys(50)
	c, err := customer.NewRegistered(testID, p, t0)
	require.NoError(t, err)
	require.NoError(t, c.Validate())
}

func manyKeys(n int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m[fmt.Sprintf("key_%d", i)] = "v"
	}
	return m
}

func TestMetadataLimits(t *testing.T) {
	tests := []struct {
		name string
		m    map[string]string
		ok   bool
	}{
		{"nil", nil, true},
		{"50 keys", manyKeys(50), true},
		{"51 keys", manyKeys(51), false},
		{"40-character key", map[string]string{strings.Repeat("k", 40): "v"}, true},
		{"40-character non-ASCII key", map[string]string{strings.Repeat("ß", 40): "v"}, true},
		{"41-character key", map[string]string{strings.Repeat("k", 41): "v"}, false},
		{"blank key", map[string]string{" ": "v"}, false},
		{"500-character value", map[string]string{"k": strings.Repeat("é", 500)}, true},
		{"501-character value", map[string]string{"k": strings.Repeat("v", 501)}, false},
		{"multi-line value", map[string]string{"k": "a\nb"}, false},
		{"carriage return in value", map[string]string{"k": "a\rb"}, false},
		{"tab in value", map[string]string{"k": "a\tb"}, false},
		{"control char in value", map[string]string{"k": "a\x00b"}, false},
		{"control char in key", map[string]string{"k\n": "v"}, false},
		{"invalid UTF-8 value", map[string]string{"k": "\xff"}, false},
		{"empty value", map[string]string{"k": ""}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := customer.NewGuest(testID, customer.Params{Email: "bob@example.com", Metadata: tt.m}, t0)
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, customer.ErrInvalid)
			var ve *customer.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.True(t, strings.HasPrefix(ve.Field, "metadata"), "field %q", ve.Field)
		})
	}
}

func TestRecordOrderStatusProgression(t *testing.T) {
	c := customerInState(t, customer.StateActive)
	assert.Equal(t, customer.StatusProspect, c.Status)

	want := []customer.Status{customer.StatusAcquired, customer.StatusRepeat, customer.StatusRepeat, customer.StatusRepeat}
	for i, w := range want {
		now := t0.Add(time.Duration(i+1) * time.Minute)
		c.RecordOrder(now)
		assert.Equal(t, i+1, c.OrderCount)
		assert.Equal(t, w, c.Status, "after %d orders", i+1)
		assert.Equal(t, now, c.UpdatedAt)
		require.NoError(t, c.Validate())
	}
}

func TestRecordOrderNeverMovesBack(t *testing.T) {
	c := customerInState(t, customer.StateGuest)
	c.Status = customer.StatusRepeat // inconsistent on purpose
	c.RecordOrder(t1)
	assert.Equal(t, customer.StatusRepeat, c.Status)
	assert.Equal(t, 1, c.OrderCount)
}

func TestRecordOrderWorksForGuests(t *testing.T) {
	c := customerInState(t, customer.StateGuest)
	c.RecordOrder(t1)
	assert.Equal(t, customer.StatusAcquired, c.Status)
	require.NoError(t, c.Validate())
}

func TestVATIDOnlyForBusiness(t *testing.T) {
	p := customer.Params{Email: "bob@example.com", VATID: "DE123456789"}
	_, err := customer.NewRegistered(testID, p, t0)
	requireFieldError(t, err, "vat_id")

	p.Type = customer.TypeBusiness
	c, err := customer.NewRegistered(testID, p, t0)
	require.NoError(t, err)
	assert.True(t, c.PricesExcludeVAT())

	// A business without a VAT ID is fine.
	p.VATID = ""
	_, err = customer.NewRegistered(testID, p, t0)
	require.NoError(t, err)

	// Separators are kept, spaces removed, letters upper-cased.
	p.VATID = "che-123.456.789 mwst"
	c, err = customer.NewRegistered(testID, p, t0)
	require.NoError(t, err)
	assert.Equal(t, "CHE-123.456.789MWST", c.VATID)
}

func TestErase(t *testing.T) {
	for _, s := range []customer.State{customer.StateGuest, customer.StateInvited, customer.StateActive, customer.StateDisabled} {
		t.Run(s.String(), func(t *testing.T) {
			c := customerInState(t, s)
			c.Company, c.Note, c.Reference, c.ReferenceOrigin = "ACME", "note", "R1", "erp"
			c.Metadata = map[string]string{"k": "v"}
			c.RecordOrder(t0)
			c.Version = 7

			require.NoError(t, c.Erase(t1))
			assert.Equal(t, customer.StateErased, c.State)
			assert.Equal(t, customer.ErasedEmail(testID), c.Email)
			assert.Equal(t, "erased-"+testID.String()+"@erased.invalid", c.Email.Address)
			assert.Empty(t, c.FirstName)
			assert.Empty(t, c.LastName)
			assert.Empty(t, c.Name())
			assert.Empty(t, c.Phone)
			assert.Empty(t, c.Company)
			assert.Empty(t, c.VATID)
			assert.Empty(t, c.Note)
			assert.Nil(t, c.Tags)
			assert.Nil(t, c.Metadata)
			assert.Empty(t, c.Reference)
			assert.Empty(t, c.ReferenceOrigin)
			require.NotNil(t, c.DeletedAt)
			assert.Equal(t, t1, *c.DeletedAt)
			assert.True(t, c.IsDeleted())
			assert.Equal(t, t1, c.UpdatedAt)
			// Kept.
			assert.Equal(t, testID, c.ID)
			assert.Equal(t, s != customer.StateGuest, c.HasAccount)
			assert.Equal(t, 1, c.OrderCount)
			assert.Equal(t, customer.StatusAcquired, c.Status)
			assert.Equal(t, t0, c.CreatedAt)
			assert.Equal(t, int64(7), c.Version)
			require.NoError(t, c.Validate())

			// Erase is final.
			before := c.Clone()
			require.ErrorIs(t, c.Erase(t2), customer.ErrInvalidTransition)
			assert.Equal(t, before, c)
		})
	}
}

func TestEraseKeepsEarlierDeletion(t *testing.T) {
	c := customerInState(t, customer.StateActive)
	c.MarkDeleted(t1)
	require.NoError(t, c.Erase(t2))
	require.NotNil(t, c.DeletedAt)
	assert.Equal(t, t1, *c.DeletedAt)
	assert.Equal(t, t2, c.UpdatedAt)
}

func TestTransitionToErasedErases(t *testing.T) {
	c := customerInState(t, customer.StateActive)
	require.NoError(t, c.Transition(customer.StateErased, t1))
	assert.Empty(t, c.FirstName)
	assert.Equal(t, customer.ErasedEmail(c.ID), c.Email)
	require.NoError(t, c.Validate())
}

func TestMarkDeleted(t *testing.T) {
	c := customerInState(t, customer.StateActive)
	assert.False(t, c.IsDeleted())
	c.MarkDeleted(t1.In(time.FixedZone("X", -7200)))
	require.True(t, c.IsDeleted())
	assert.Equal(t, t1, *c.DeletedAt)
	assert.Equal(t, time.UTC, c.DeletedAt.Location())
	assert.Equal(t, t1, c.UpdatedAt)
	assert.Equal(t, "Bob", c.FirstName, "soft delete keeps data")
	require.NoError(t, c.Validate())

	c.MarkDeleted(t2)
	assert.Equal(t, t1, *c.DeletedAt, "the first deletion time is kept")
	assert.Equal(t, t1, c.UpdatedAt)
}

func TestClone(t *testing.T) {
	c, err := customer.NewRegistered(testID, fullParams(), t0)
	require.NoError(t, err)
	c.MarkDeleted(t1)

	cp := c.Clone()
	assert.Equal(t, c, cp)
	cp.Tags[0] = "changed"
	cp.Metadata["crm_id"] = "changed"
	cp.Metadata["new"] = "x"
	*cp.DeletedAt = t2
	assert.Equal(t, "vip", c.Tags[0])
	assert.Equal(t, map[string]string{"crm_id": "42"}, c.Metadata)
	assert.Equal(t, t1, *c.DeletedAt)

	var zero customer.Customer
	assert.Equal(t, zero, zero.Clone())
	empty := customer.Customer{Tags: []string{}, Metadata: map[string]string{}}
	ec := empty.Clone()
	assert.NotNil(t, ec.Tags)
	assert.NotNil(t, ec.Metadata)
}

func TestName(t *testing.T) {
	tests := []struct{ first, last, want string }{
		{"Anna", "Muster", "Anna Muster"},
		{"Anna", "", "Anna"},
		{"", "Muster", "Muster"},
		{"", "", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, customer.Customer{FirstName: tt.first, LastName: tt.last}.Name())
	}
}

func TestValidateGuards(t *testing.T) {
	valid := func(t *testing.T) customer.Customer {
		c, err := customer.NewRegistered(testID, fullParams(), t0)
		require.NoError(t, err)
		return c
	}
	tests := []struct {
		name   string
		modify func(*customer.Customer)
		field  string
	}{
		{"zero customer", func(c *customer.Customer) { *c = customer.Customer{} }, "id"},
		{"nil id", func(c *customer.Customer) { c.ID = uuid.Nil }, "id"},
		{"empty email", func(c *customer.Customer) { c.Email = customer.Email{} }, "email"},
		{"non-canonical address", func(c *customer.Customer) { c.Email.Address = "Anna@example.com"; c.Email.Display = "" }, "email"},
		{"unicode domain address", func(c *customer.Customer) { c.Email.Address = "anna.muster@bücher.de" }, "email"},
		{"display for another address", func(c *customer.Customer) { c.Email.Display = "other@example.com" }, "email"},
		{"display not cleaned", func(c *customer.Customer) { c.Email.Display = " " + c.Email.Display }, "email"},
		{"erased placeholder on live customer", func(c *customer.Customer) { c.Email = customer.ErasedEmail(c.ID) }, "email"},
		{"zero state", func(c *customer.Customer) { c.State = 0 }, "state"},
		{"guest with account", func(c *customer.Customer) { c.State = customer.StateGuest }, "has_account"},
		{"active without account", func(c *customer.Customer) { c.HasAccount = false }, "has_account"},
		{"guest with a password", func(c *customer.Customer) { c.State, c.HasAccount, c.HasPassword = customer.StateGuest, false, true }, "has_password"},
		{"zero type", func(c *customer.Customer) { c.Type = 0 }, "type"},
		{"zero status", func(c *customer.Customer) { c.Status = 0 }, "status"},
		{"negative order count", func(c *customer.Customer) { c.OrderCount = -1 }, "order_count"},
		{"status ahead of orders", func(c *customer.Customer) { c.Status = customer.StatusAcquired }, "status"},
		{"status behind orders", func(c *customer.Customer) { c.OrderCount = 2; c.Status = customer.StatusAcquired }, "status"},
		{"phone not E.164", func(c *customer.Customer) { c.Phone = "+49 30 1234567" }, "phone"},
		{"phone invalid", func(c *customer.Customer) { c.Phone = "+1" }, "phone"},
		{"VAT ID on private", func(c *customer.Customer) { c.Type = customer.TypePrivate }, "vat_id"},
		{"VAT ID lower-case", func(c *customer.Customer) { c.VATID = "de123" }, "vat_id"},
		{"tags not sorted", func(c *customer.Customer) { c.Tags = []string{"b", "a"} }, "tags"},
		{"tags duplicated", func(c *customer.Customer) { c.Tags = []string{"a", "a"} }, "tags"},
		{"tags upper-case", func(c *customer.Customer) { c.Tags = []string{"VIP"} }, "tags"},
		{"reference padded", func(c *customer.Customer) { c.Reference = " C-1001" }, "reference"},
		{"metadata too big", func(c *customer.Customer) { c.Metadata = manyKeys(51) }, "metadata"},
		{"zero created", func(c *customer.Customer) { c.CreatedAt = time.Time{} }, "created_at"},
		{"zero updated", func(c *customer.Customer) { c.UpdatedAt = time.Time{} }, "updated_at"},
		{"zero deleted", func(c *customer.Customer) { c.DeletedAt = &time.Time{} }, "deleted_at"},
		{"negative version", func(c *customer.Customer) { c.Version = -1 }, "version"},
		{"erased with PII", func(c *customer.Customer) {
			c.State = customer.StateErased
			c.Email = customer.ErasedEmail(c.ID)
			now := t1
			c.DeletedAt = &now
		}, "first_name"},
		{"erased with real email", func(c *customer.Customer) {
			_ = c.Erase(t1)
			c.Email = customer.Email{Address: "bob@example.com", Display: "bob@example.com"}
		}, "email"},
		{"erased with another customer's placeholder", func(c *customer.Customer) {
			_ = c.Erase(t1)
			c.Email = customer.ErasedEmail(uuid.MustParse("11111111-1111-4111-8111-111111111111"))
		}, "email"},
		{"erased without deletion time", func(c *customer.Customer) { _ = c.Erase(t1); c.DeletedAt = nil }, "deleted_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid(t)
			tt.modify(&c)
			requireFieldError(t, c.Validate(), tt.field)
		})
	}
}

func TestValidateAcceptsStoredForms(t *testing.T) {
	c, err := customer.NewRegistered(testID, fullParams(), t0)
	require.NoError(t, err)
	// Adapters may store only the canonical address.
	c.Email.Display = ""
	require.NoError(t, c.Validate())
	// Version and timestamps from storage.
	c.Version = 3
	c.UpdatedAt = t2
	require.NoError(t, c.Validate())
}
