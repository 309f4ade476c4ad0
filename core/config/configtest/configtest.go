// Package configtest helps tests put a station's files in the state a
// careless copy leaves them in: readable by every user of the computer.
package configtest
