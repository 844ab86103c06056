package clientele_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/bulk"
	"github.com/clientele-go/clientele/company"
	"github.com/clientele-go/clientele/consent"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/operator"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/password"
	"github.com/clientele-go/clientele/pricing"
	"github.com/clientele-go/clientele/privacy"
	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/subscription"
	"github.com/clientele-go/clientele/verification"
	"github.com/clientele-go/clientele/wallet"
)

// sentinels is every exported sentinel of the module with its category. The
// test below fails when a package exports an Err... variable missing here,
// so a new sentinel cannot ship without a category.
var sentinels = map[string]struct {
	err  error
	code errcode.Code
}{
	"address.ErrInvalid":                {address.ErrInvalid, errcode.Invalid},
	"address.ErrNotFound":               {address.ErrNotFound, errcode.NotFound},
	"address.ErrBookFull":               {address.ErrBookFull, errcode.FailedPrecondition},
	"address.ErrSeveralDefaults":        {address.ErrSeveralDefaults, errcode.Conflict},
	"balance.ErrInvalid":                {balance.ErrInvalid, errcode.Invalid},
	"balance.ErrCurrencyMismatch":       {balance.ErrCurrencyMismatch, errcode.Invalid},
	"balance.ErrOverflow":               {balance.ErrOverflow, errcode.Invalid},
	"balance.ErrInsufficientFunds":      {balance.ErrInsufficientFunds, errcode.FailedPrecondition},
	"balance.ErrIdempotencyKeyReused":   {balance.ErrIdempotencyKeyReused, errcode.Conflict},
	"balance.ErrAccountNotFound":        {balance.ErrAccountNotFound, errcode.NotFound},
	"balance.ErrPostingNotFound":        {balance.ErrPostingNotFound, errcode.NotFound},
	"customer.ErrInvalid":               {customer.ErrInvalid, errcode.Invalid},
	"customer.ErrInvalidTransition":     {customer.ErrInvalidTransition, errcode.FailedPrecondition},
	"customer.ErrNotFound":              {customer.ErrNotFound, errcode.NotFound},
	"customer.ErrEmailTaken":            {customer.ErrEmailTaken, errcode.Conflict},
	"customer.ErrReferenceTaken":        {customer.ErrReferenceTaken, errcode.Conflict},
	"customer.ErrMerged":                {customer.ErrMerged, errcode.NotFound},
	"customer.ErrMergeRefused":          {customer.ErrMergeRefused, errcode.FailedPrecondition},
	"customer.ErrErased":                {customer.ErrErased, errcode.FailedPrecondition},
	"group.ErrInvalid":                  {group.ErrInvalid, errcode.Invalid},
	"group.ErrNotFound":                 {group.ErrNotFound, errcode.NotFound},
	"group.ErrNameTaken":                {group.ErrNameTaken, errcode.Conflict},
	"group.ErrInUse":                    {group.ErrInUse, errcode.FailedPrecondition},
	"group.ErrNotMember":                {group.ErrNotMember, errcode.NotFound},
	"market.ErrInvalid":                 {market.ErrInvalid, errcode.Invalid},
	"market.ErrNotFound":                {market.ErrNotFound, errcode.NotFound},
	"market.ErrCodeTaken":               {market.ErrCodeTaken, errcode.Conflict},
	"market.ErrAccessDenied":            {market.ErrAccessDenied, errcode.Denied},
	"market.ErrDisabled":                {market.ErrDisabled, errcode.Denied},
	"market.ErrPrivate":                 {market.ErrPrivate, errcode.Denied},
	"market.ErrNotMember":               {market.ErrNotMember, errcode.Denied},
	"market.ErrNoMarket":                {market.ErrNoMarket, errcode.Denied},
	"market.ErrNotVerified":             {market.ErrNotVerified, errcode.Denied},
	"clientele.ErrBatchTooLarge":        {clientele.ErrBatchTooLarge, errcode.Invalid},
	"clientele.ErrVersionMismatch":      {clientele.ErrVersionMismatch, errcode.Stale},
	"clientele.ErrIdempotencyKeyReused": {clientele.ErrIdempotencyKeyReused, errcode.Conflict},
	"clientele.ErrUnsupported":          {clientele.ErrUnsupported, errcode.Unsupported},
	"storage.ErrInvalidRecord":          {storage.ErrInvalidRecord, errcode.Invalid},
	"storage.ErrLeaseHeld":              {storage.ErrLeaseHeld, errcode.Conflict},
	"storage.ErrLeaseLost":              {storage.ErrLeaseLost, errcode.FailedPrecondition},
	"clientele.ErrLeaseHeld":            {clientele.ErrLeaseHeld, errcode.Conflict},
	"clientele.ErrLeaseLost":            {clientele.ErrLeaseLost, errcode.FailedPrecondition},
	"actor.ErrInvalid":                  {actor.ErrInvalid, errcode.Invalid},
	"event.ErrInvalid":                  {event.ErrInvalid, errcode.Invalid},
	"storage.ErrTooLarge":               {storage.ErrTooLarge, errcode.Invalid},
	"storage.ErrNoSnapshot":             {storage.ErrNoSnapshot, errcode.Unsupported},
	"customer.ErrEmailConfusable":       {customer.ErrEmailConfusable, errcode.Conflict},
	"storage.ErrCommitUnknown":          {storage.ErrCommitUnknown, errcode.CommitUnknown},
	"storage.ErrLockTimeout":            {storage.ErrLockTimeout, errcode.Unavailable},
	"storage.ErrCustomerNotLive":        {storage.ErrCustomerNotLive, errcode.NotFound},
	"merchant.ErrInvalid":               {merchant.ErrInvalid, errcode.Invalid},
	"merchant.ErrNotFound":              {merchant.ErrNotFound, errcode.NotFound},
	"merchant.ErrHasMarkets":            {merchant.ErrHasMarkets, errcode.FailedPrecondition},
	"order.ErrInvalid":                  {order.ErrInvalid, errcode.Invalid},
	"order.ErrNotFound":                 {order.ErrNotFound, errcode.NotFound},
	"order.ErrOrderOwned":               {order.ErrOrderOwned, errcode.Conflict},
	"order.ErrOrderChanged":             {order.ErrOrderChanged, errcode.Conflict},
	"order.ErrInvalidTransition":        {order.ErrInvalidTransition, errcode.FailedPrecondition},
	"storage.ErrNotFound":               {storage.ErrNotFound, errcode.NotFound},
	"storage.ErrConflict":               {storage.ErrConflict, errcode.Conflict},
	"storage.ErrInvalidCursor":          {storage.ErrInvalidCursor, errcode.Invalid},
	"page.ErrInvalidCursor":             {page.ErrInvalidCursor, errcode.Invalid},
	"storage.ErrTxDone":                 {storage.ErrTxDone, errcode.Unknown},
	"credential.ErrInvalid":             {credential.ErrInvalid, errcode.Invalid},
	"credential.ErrInvalidCredentials":  {credential.ErrInvalidCredentials, errcode.Unauthenticated},
	"credential.ErrTokenInvalid":        {credential.ErrTokenInvalid, errcode.Invalid},
	"credential.ErrIdentityTaken":       {credential.ErrIdentityTaken, errcode.Conflict},
	"credential.ErrIdentityNotFound":    {credential.ErrIdentityNotFound, errcode.NotFound},
	"credential.ErrLastWayIn":           {credential.ErrLastWayIn, errcode.FailedPrecondition},
	"clientele.ErrActorRequired":        {clientele.ErrActorRequired, errcode.Denied},
	"password.ErrMalformedHash":         {password.ErrMalformedHash, errcode.Invalid},
	"password.ErrHashParams":            {password.ErrHashParams, errcode.Invalid},
	"password.ErrInvalid":               {password.ErrInvalid, errcode.Invalid},
	"password.ErrInvalidPolicy":         {password.ErrInvalidPolicy, errcode.Invalid},

	"wallet.ErrInvalid":                   {wallet.ErrInvalid, errcode.Invalid},
	"wallet.ErrNotFound":                  {wallet.ErrNotFound, errcode.NotFound},
	"wallet.ErrWalletFull":                {wallet.ErrWalletFull, errcode.FailedPrecondition},
	"wallet.ErrSourceInUse":               {wallet.ErrSourceInUse, errcode.FailedPrecondition},
	"wallet.ErrSeveralDefaults":           {wallet.ErrSeveralDefaults, errcode.Conflict},
	"subscription.ErrInvalid":             {subscription.ErrInvalid, errcode.Invalid},
	"subscription.ErrNotFound":            {subscription.ErrNotFound, errcode.NotFound},
	"subscription.ErrSubscriptionOwned":   {subscription.ErrSubscriptionOwned, errcode.Conflict},
	"subscription.ErrSubscriptionChanged": {subscription.ErrSubscriptionChanged, errcode.Conflict},
	"subscription.ErrInvalidTransition":   {subscription.ErrInvalidTransition, errcode.FailedPrecondition},
	"subscription.ErrTooMany":             {subscription.ErrTooMany, errcode.FailedPrecondition},

	// B2B companies.
	"company.ErrInvalid":           {company.ErrInvalid, errcode.Invalid},
	"company.ErrNotFound":          {company.ErrNotFound, errcode.NotFound},
	"company.ErrMemberExists":      {company.ErrMemberExists, errcode.Conflict},
	"company.ErrDomainTaken":       {company.ErrDomainTaken, errcode.Conflict},
	"company.ErrLastAdmin":         {company.ErrLastAdmin, errcode.FailedPrecondition},
	"company.ErrForbidden":         {company.ErrForbidden, errcode.Denied},
	"company.ErrInvalidTransition": {company.ErrInvalidTransition, errcode.FailedPrecondition},
	"company.ErrSelfApproval":      {company.ErrSelfApproval, errcode.Denied},
	"company.ErrOverApproverLimit": {company.ErrOverApproverLimit, errcode.Denied},
	"company.ErrOrderDenied":       {company.ErrOrderDenied, errcode.FailedPrecondition},
	"company.ErrEmailNotVerified":  {company.ErrEmailNotVerified, errcode.FailedPrecondition},

	// The order history's details (returns, exchanges, refunds).
	"order.ErrDetailNotFound":     {order.ErrDetailNotFound, errcode.NotFound},
	"order.ErrDetailChanged":      {order.ErrDetailChanged, errcode.Conflict},
	"order.ErrRefundExceedsTotal": {order.ErrRefundExceedsTotal, errcode.FailedPrecondition},

	// Verification (KYC / KYB).
	"verification.ErrInvalid":           {verification.ErrInvalid, errcode.Invalid},
	"verification.ErrInvalidTransition": {verification.ErrInvalidTransition, errcode.FailedPrecondition},
	"verification.ErrTooManyFlags":      {verification.ErrTooManyFlags, errcode.FailedPrecondition},
	// Communication consent.
	"consent.ErrInvalid": {consent.ErrInvalid, errcode.Invalid},
	// Marketplace roles.
	"merchant.ErrLastOwner":      {merchant.ErrLastOwner, errcode.FailedPrecondition},
	"merchant.ErrMemberTaken":    {merchant.ErrMemberTaken, errcode.Conflict},
	"merchant.ErrMemberNotFound": {merchant.ErrMemberNotFound, errcode.NotFound},
	"merchant.ErrForbidden":      {merchant.ErrForbidden, errcode.Denied},
	"operator.ErrInvalid":        {operator.ErrInvalid, errcode.Invalid},
	"operator.ErrNotFound":       {operator.ErrNotFound, errcode.NotFound},
	// Bulk import and export.
	"bulk.ErrInvalid":            {bulk.ErrInvalid, errcode.Invalid},
	"clientele.ErrTooManyErrors": {clientele.ErrTooManyErrors, errcode.Invalid},
	// Privacy (export and erasure).
	"privacy.ErrInvalid": {privacy.ErrInvalid, errcode.Invalid},
	// Segments.
	"segment.ErrInvalid":  {segment.ErrInvalid, errcode.Invalid},
	"segment.ErrNotFound": {segment.ErrNotFound, errcode.NotFound},
	// Pricing context.
	"pricing.ErrInvalid": {pricing.ErrInvalid, errcode.Invalid},
}

func TestErrorCategories(t *testing.T) {
	for name, s := range sentinels {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, s.code, errcode.Of(s.err))
			if s.code != errcode.Unknown {
				assert.ErrorIs(t, s.err, s.code)
			}
		})
	}
}

// TestEverySentinelHasACategory finds every exported Err... variable in the
// module's public packages and requires it in the table above.
func TestEverySentinelHasACategory(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch {
			case path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "internal" || d.Name() == "examples" ||
				d.Name() == "testdata" || d.Name() == "storagetest" || d.Name() == "clienteletest"):
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		pkg := filepath.Base(filepath.Dir(path))
		if pkg == "." {
			pkg = "clientele"
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				for _, n := range spec.(*ast.ValueSpec).Names {
					if n.IsExported() && strings.HasPrefix(n.Name, "Err") {
						if _, ok := sentinels[pkg+"."+n.Name]; !ok {
							t.Errorf("%s: %s.%s has no category: add it to the sentinels table", path, pkg, n.Name)
						}
					}
				}
			}
		}
		return nil
	})
	require.NoError(t, err)
}
