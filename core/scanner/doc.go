// Package scanner turns what a USB HID barcode scanner types into the code to
// look up, in one tested place.
//
// A gate scanner is a "keyboard wedge": it types the decoded barcode as key
// presses and ends with Enter (or Tab). Everything that can go wrong on that
// path lands here: AIM symbology identifiers and ECI designators the scanner
// was configured to send, a site-configured prefix/suffix, control characters
// (GS separators of GS1 codes, STX/ETX framing), two scans run together, and —
// the classic at a gate — a scanner typing US key codes into a PC set to
// AZERTY, so that "12345" arrives as "&é\"'(".
//
// The pieces:
//
//   - [Normalize] / [Options.Normalize]: one raw scan to a [Scan] (or an
//     error whose text is one short line for the supervisor);
//   - [Assembler]: GUI keystrokes (runes and named keys with their times) to
//     complete raw scans, telling scanner speed from hand typing;
//   - [Lines] / [Options.Lines]: one scan per line for the headless command.
//
// Nothing here reads the clock: times are passed in, so every rule is tested
// deterministically. Standard library only.
package scanner
