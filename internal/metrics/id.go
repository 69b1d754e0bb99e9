package metrics

import (
	"crypto/rand"
	"encoding/hex"
)

// NewID returns a new random identifier, 32 lowercase hexadecimal digits
// (128 bits from crypto/rand): the key of a record, or the id a server
// gives a request.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand.Read)
	return hex.EncodeToString(b[:])
}
