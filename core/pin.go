package core

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"
)

// The supervisor PIN is stored as a salted PBKDF2 hash: a laptop left at a
// gate must not give away the PIN that unlocks overrides.
const pinIterations = 100_000

// HashPIN returns "pbkdf2-sha256$<iter>$<salt>$<hash>".
func HashPIN(pin string) (string, error) {
	if err := CheckPIN(pin); err != nil {
		return "", err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	return encodePIN(pin, salt), nil
}

func encodePIN(pin string, salt []byte) string {
	key, _ := pbkdf2.Key(sha256.New, pin, salt, pinIterations, 32)
	enc := base64.RawStdEncoding
	return "pbkdf2-sha256$100000$" + enc.EncodeToString(salt) + "$" + enc.EncodeToString(key)
}

// CheckPIN refuses PINs too short to protect anything.
func CheckPIN(pin string) error {
	if len(pin) < 4 || len(pin) > 32 {
		return Say(EInvalid, "pin.err.length", nil)
	}
	return nil
}

// PINMatches reports whether pin is the one hashed. An empty hash means no
// PIN was set: supervisor actions are then open (the demo, a first run).
func PINMatches(hash, pin string) bool {
	if hash == "" {
		return true
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" || parts[1] != "100000" {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[2])
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(encodePIN(pin, salt)), []byte(hash)) == 1
}
