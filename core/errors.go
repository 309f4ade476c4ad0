package core

import (
	"errors"
	"fmt"

	"s360gate/core/words"
)

// Error codes: what kind of failure, for callers that must act differently
// (exit codes, retry or not). The words for people are in Error.Message.
const (
	EInvalid     = "invalid"     // bad input or setting: fix and retry
	ENotFound    = "not_found"   // no such ticket/control
	EConflict    = "conflict"    // e.g. override of an ADMIT
	EUnavailable = "unavailable" // S-360 or the disk cannot be reached now; retry later
	ERefused     = "refused"     // the call policy or S-360's rate limit says not now
	EAuth        = "auth"        // credentials rejected
	EInternal    = "internal"
)

// ErrNoRemote is in the chain of an error saying S-360 could not be called
// because the settings allow no client (no password, no address): no
// call was made, so the station is not online.
var ErrNoRemote = errors.New("no S-360 client")

// Error is an error a supervisor can read. Message is plain words for the
// screen; Err keeps the technical cause for the log.
//
// An Error made with Say carries its words as a key of the catalogue
// (core/words) and the data of its template: Message is then the English
// (logs, the command line) and each screen says it in its own language
// (Speaker.Error). Errors made with Errorf and Wrap are in English only.
type Error struct {
	Code    string
	Message string
	Err     error
	Key     string
	Data    map[string]any
}

// Words are the error's key in the catalogue and its data ("" when it
// has words in English only).
func (e *Error) Words() (string, map[string]any) { return e.Key, e.Data }

// Say makes an Error whose words are key's in the catalogue, with data.
func Say(code, key string, data map[string]any) *Error {
	return &Error{Code: code, Message: words.EN.T(key, data), Key: key, Data: data}
}

// SayWrap is Say with a technical cause for the log.
func SayWrap(code string, err error, key string, data map[string]any) *Error {
	e := Say(code, key, data)
	e.Err = err
	return e
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf makes an Error with a formatted message and no deeper cause.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap gives a technical error words for people.
func Wrap(code string, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode is the code of the first *Error in err's chain, EInternal otherwise.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EInternal
}

// ErrorMessage is what to show a supervisor: the words of the first *Error in
// the chain, or a generic sentence (the detail goes to the log).
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	if err == nil {
		return ""
	}
	return words.EN.T("error.generic", nil)
}
