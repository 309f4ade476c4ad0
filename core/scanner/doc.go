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
//   - [Assembler]: every keystroke a GUI window receives, whichever widget
//     has the focus, sorted by timing into scans (a burst at scanner speed
//     ended by Enter, Tab or the suffix), unread scans (a burst that never
//     ended) and a person's typing, handed back to where it was typed;
//   - [Lines] / [Options.Lines]: one scan per line for the headless command.
//
// Nothing here reads the clock: times are passed in, so every rule is tested
// deterministically. Standard library only.
package scanner
