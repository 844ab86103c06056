package mysql_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/pricing"
	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/sqlstore/internal/sqltest"
	"github.com/clientele-go/clientele/storage/sqlstore/mysql"
)

// TestPricingSnapshotCut: MariaDB cuts JSON_ARRAYAGG at
// group_concat_max_len bytes, silently; the snapshot's counted lists
// notice it, PricingSnapshot answers storage.ErrNoSnapshot and
// Pricing.Context reads the context piece by piece instead, whole. (MySQL
// 8 does not cut: the snapshot is then whole.)
func TestPricingSnapshotCut(t *testing.T) {
	db := openFresh(t)
	s := sqltest.NewStore(t, db, mysql.Dialect)
	ctx := context.Background()
	db.SetMaxOpenConns(1) // the session setting below holds on the one connection
	var version string
	require.NoError(t, db.QueryRow(`SELECT VERSION()`).Scan(&version))
	_, err := db.Exec(`SET SESSION group_concat_max_len = 400`)
	require.NoError(t, err)

	now := time.Now().UTC().Truncate(time.Microsecond)
	mer, err := merchant.New(uuid.New(), merchant.Params{Name: "Acme", BillingAddress: address.Address{Line1: "Main St 1", City: "Berlin", Country: "DE"}}, now)
	require.NoError(t, err)
	_, err = s.Merchants().Create(ctx, mer)
	require.NoError(t, err)
	mk, err := market.New(uuid.New(), market.Params{MerchantID: mer.ID, Code: "shop", Name: "Shop", BusinessModel: market.BusinessModelB2C,
		Currency: balance.MustCurrency("EUR")}, now)
	require.NoError(t, err)
	_, err = s.Markets().Create(ctx, mk)
	require.NoError(t, err)
	c, err := customer.NewRegistered(uuid.New(), customer.Params{Email: "ada@example.com"}, now)
	require.NoError(t, err)
	_, err = s.Customers().Create(ctx, c)
	require.NoError(t, err)
	const n = 12 // of some 100 bytes each in the JSON
	for i := range n {
		sg, err := segment.New(uuid.New(), segment.Params{Name: fmt.Sprintf("Segment %02d %s", i, strings.Repeat("x", 40)), Rule: segment.All()}, now.Add(time.Duration(i)))
		require.NoError(t, err)
		_, err = s.SegmentRecords().Create(ctx, sg)
		require.NoError(t, err)
	}

	snap, err := s.PricingSnapshot(ctx, c.ID, mk.ID, now, pricing.MaxGroups, pricing.MaxSegments)
	if strings.Contains(version, "MariaDB") {
		require.ErrorIs(t, err, storage.ErrNoSnapshot, "MariaDB %s cuts the list", version)
	} else if err == nil {
		assert.Len(t, snap.Segments, n, "whole on %s", version)
	}
	got, err := clientele.New(s).Pricing.Context(ctx, c.ID, mk.ID)
	require.NoError(t, err)
	assert.Len(t, got.Segments, n, "read piece by piece")
}
