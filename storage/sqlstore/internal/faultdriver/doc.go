// Package faultdriver wraps a database/sql driver for fault-injection tests.
//
// A Connector passes everything through to the driver it wraps (statements,
// transactions, argument checks, session resets, validity checks) and keeps
// a log of what ran. A test arms it with a Fault to make one chosen
// statement fail, to fail a COMMIT, to commit and then report an error (an
// ambiguous commit, as when the connection breaks while the COMMIT's reply
// is in flight), or to drop the connection; or, with Fault.Do, to run code
// at a chosen step (AtEvent counts BEGIN, statements and COMMIT together),
// such as cancelling the caller's context there.
//
//	fc, err := faultdriver.WrapDriver(drv, dsn)
//	db := sql.OpenDB(fc)
//	fc.Arm(faultdriver.Fault{At: faultdriver.AtStatement, N: 3})
//	err = doSomething(db) // the third statement fails with ErrInjected
//
// Statements are numbered across all the connector's connections in the
// order they run, so faults are meant for tests that run one operation at a
// time. Preparing a statement is not a statement (database/sql prepares a
// statement once per connection, so prepares are not reproducible); BEGIN,
// COMMIT and ROLLBACK are logged as events of their own kinds and are not
// counted as statements either.
package faultdriver
