// Package cputime is the CPU time this process used so far, all threads
// (user + system): on a shared machine it says what a phase cost, whatever
// the others took of the wall clock. The bench and the stores' benchmarks
// report it beside their wall-clock figures.
package cputime
