package s360sim

import (
	"encoding/base64"
	"encoding/binary"
)

// Cursors (paginationStart / paginationEnd) are opaque on purpose: the doc
// tells clients to store them and never parse them, and a cursor that looked
// like an offset would invite clients to compute one. A cursor is one
// AES-128 block, base64url without padding (22 characters):
//
//	[0:8]  slot position (big endian)
//	[8:12] nonce, so two cursors for the same position differ
//	[12:16] check value; any tampering scrambles the whole block, so a
//	        forged or garbled cursor passes with probability 2^-32.
//
// The key derives from seed, institution and season: a sim restarted with
// the same settings accepts the cursors of its previous run.
const cursorLen = 22

func cursorCheck(pos uint64, nonce uint32) uint32 {
	return uint32(mix(pos^uint64(nonce)<<32^0xC0_50_12_5E_C0_50_12_5E) >> 17)
}

func (s *Sim) encodeCursor(pos uint64) string {
	var blk [16]byte
	nonce := uint32(mix(s.nonce.Add(1)))
	binary.BigEndian.PutUint64(blk[0:8], pos)
	binary.BigEndian.PutUint32(blk[8:12], nonce)
	binary.BigEndian.PutUint32(blk[12:16], cursorCheck(pos, nonce))
	s.cursorBlock.Encrypt(blk[:], blk[:])
	return base64.RawURLEncoding.EncodeToString(blk[:])
}

func (s *Sim) decodeCursor(c string) (uint64, bool) {
	if len(c) != cursorLen {
		return 0, false
	}
	var blk [16]byte
	n, err := base64.RawURLEncoding.Strict().Decode(blk[:], []byte(c))
	if err != nil || n != 16 {
		return 0, false
	}
	s.cursorBlock.Decrypt(blk[:], blk[:])
	pos := binary.BigEndian.Uint64(blk[0:8])
	nonce := binary.BigEndian.Uint32(blk[8:12])
	if binary.BigEndian.Uint32(blk[12:16]) != cursorCheck(pos, nonce) {
		return 0, false
	}
	return pos, true
}
