package balance

import (
	"strconv"

	"github.com/clientele-go/clientele/internal/validation"
)

// Kind says why a posting moved money. The zero Kind is invalid, so a posting
// built without one is caught.
//
// Each kind fixes the sign of its amount (enforced by NewPosting):
//
//	adjustment              either sign   manual correction by staff or an import
//	gift_card               credit (> 0)  a gift card redeemed into store credit
//	refund                  credit (> 0)  a refund paid out as store credit
//	order_payment           debit  (< 0)  store credit spent on an order
//	order_payment_reversal  credit (> 0)  an order payment given back (order cancelled, payment failed)
//	expiry                  debit  (< 0)  credit that expired
//	transfer                either sign   balance moved between customers (a merge); a
//	                                      transfer credit may carry an expiry, so a moved lot keeps it
type Kind int

// The posting kinds.
const (
	KindAdjustment Kind = iota + 1
	KindGiftCard
	KindRefund
	KindOrderPayment
	KindOrderPaymentReversal
	KindExpiry
	KindTransfer
)

var kindNames = [...]string{
	KindAdjustment:           "adjustment",
	KindGiftCard:             "gift_card",
	KindRefund:               "refund",
	KindOrderPayment:         "order_payment",
	KindOrderPaymentReversal: "order_payment_reversal",
	KindExpiry:               "expiry",
	KindTransfer:             "transfer",
}

// Kinds returns every valid Kind, in declaration order.
func Kinds() []Kind {
	return []Kind{KindAdjustment, KindGiftCard, KindRefund, KindOrderPayment, KindOrderPaymentReversal, KindExpiry, KindTransfer}
}

// Valid reports whether k is one of the declared kinds.
func (k Kind) Valid() bool { return k >= KindAdjustment && k <= KindTransfer }

// String returns the snake_case name ("gift_card"), or "Kind(n)" for an
// invalid kind.
func (k Kind) String() string {
	if !k.Valid() {
		return "Kind(" + strconv.Itoa(int(k)) + ")"
	}
	return kindNames[k]
}

// AllowsCredit reports whether a posting of kind k may have a positive amount.
func (k Kind) AllowsCredit() bool {
	switch k {
	case KindAdjustment, KindGiftCard, KindRefund, KindOrderPaymentReversal, KindTransfer:
		return true
	}
	return false
}

// AllowsDebit reports whether a posting of kind k may have a negative amount.
func (k Kind) AllowsDebit() bool {
	switch k {
	case KindAdjustment, KindOrderPayment, KindExpiry, KindTransfer:
		return true
	}
	return false
}

// ParseKind returns the Kind named s: surrounding white space is trimmed
// and case is folded, so " Gift_Card " is KindGiftCard. The error is a
// *ValidationError{Field: "kind"} unwrapping to ErrInvalid.
func ParseKind(s string) (Kind, error) {
	v, err := validation.Enum(ErrInvalid, "kind", s, kindNames[:])
	return Kind(v), err
}

// MarshalText implements encoding.TextMarshaler with the String form
// ("gift_card"); an invalid kind is an error.
func (k Kind) MarshalText() ([]byte, error) {
	if !k.Valid() {
		return nil, invalid("kind", "is not a posting kind")
	}
	return []byte(kindNames[k]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseKind; on
// error k is unchanged.
func (k *Kind) UnmarshalText(text []byte) error {
	parsed, err := ParseKind(string(text))
	if err != nil {
		return err
	}
	*k = parsed
	return nil
}
