package words

// System is the language of the person at this computer, as the system
// says it (systemLocales: the environment on Unix, the user's display
// language on Windows), when it is one s360gate speaks; English otherwise.
// A station's "language" setting, and --lang, say otherwise.
func System() Lang {
	for _, s := range SystemLocales() {
		if l, err := Parse(s); err == nil {
			return l
		}
	}
	return EN
}

// SystemLocales are the system's locales, most preferred first ("fr_CH.UTF-8",
// "de-CH"); none when it names no language (C, POSIX).
func SystemLocales() []string { return systemLocales() }
