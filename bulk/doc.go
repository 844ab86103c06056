// Package bulk reads and writes customers in bulk, as JSON Lines or CSV,
// in Clientele's own layout (Native) or in the layout of another system's
// customer export (Shopify, Medusa). It is pure: it touches no storage and
// does no I/O beyond the io.Reader and io.Writer it is given. The root
// package's Bulk service stores what a Reader returns (clientele.Bulk.Import)
// and writes what the store holds (clientele.Bulk.Export).
//
// A Reader validates every row with the rules the services apply
// (customer.Params, address.Address, balance.Money, password.CheckHash)
// and returns a *RowError naming the line and the field (the column or
// JSON name of the file's own layout) for a bad row, then goes on with the
// next one. docs/IMPORT.md documents every layout column by column.
package bulk
