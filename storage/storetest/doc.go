// Package storetest is the conformance suite every timeline store passes
// (storage/postgres, storage/sqlite): the same behaviour, checked the same
// way, against the real database.
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) (storage.Store, storetest.Reopen) { … })
//	}
package storetest
