package market

// TaxDisplay is a market's setting for showing prices with or without
// VAT. Its JSON and stored form is the string of its constant.
type TaxDisplay string

// The tax display settings.
const (
	// TaxDisplayByCustomer, the zero value and the default, decides per
	// customer: prices excluding VAT for a business customer
	// (customer.TypeBusiness), including VAT for a private customer and a
	// guest.
	TaxDisplayByCustomer TaxDisplay = ""
	// TaxDisplayGross shows every visitor prices including VAT (a
	// consumer shop).
	TaxDisplayGross TaxDisplay = "gross"
	// TaxDisplayNet shows every visitor prices excluding VAT (a
	// wholesale shop).
	TaxDisplayNet TaxDisplay = "net"
)

// Valid reports whether t is one of the constants.
func (t TaxDisplay) Valid() bool {
	return t == TaxDisplayByCustomer || t == TaxDisplayGross || t == TaxDisplayNet
}

// ExcludesVAT reports whether prices are shown excluding VAT to a visitor
// who is (business) or is not a business customer.
func (t TaxDisplay) ExcludesVAT(business bool) bool {
	switch t {
	case TaxDisplayGross:
		return false
	case TaxDisplayNet:
		return true
	}
	return business
}
