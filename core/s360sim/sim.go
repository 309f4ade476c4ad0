package s360sim

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"sync"
	"sync/atomic"
	"time"
)

// Sim is a simulated S-360 institution. All methods are safe for concurrent
// use.
type Sim struct {
	cfg     Config
	now     func() time.Time
	zone    *time.Location // the institution's (Config.TimeZone)
	key     uint64         // data seed key
	fkeys   [4]uint64      // Feistel keys for barcodes and container ids
	nOrig   uint64         // initial tickets
	season2 string         // two characters of the season in tax numbers ("26")
	prods   []product
	v0      uint64 // length of the initial virtual sequence (seq.go)

	seasonJSON  []byte // pre-quoted JSON strings, written per item
	cursorBlock cipher.Block
	nonce       atomic.Uint64
	password    atomic.Pointer[string]

	// mu guards everything that mutations change. Exports hold the read
	// lock while they build a page, so a page is a consistent snapshot.
	mu       sync.RWMutex
	causes   []string          // interned cancellation causes
	causeIdx map[string]uint16 //
	muts     map[uint64]*mutation
	extras   []extra
	log      []uint64 // change log: refs in mutation order
	ctl      controlStore

	limiter limiter
	faults  faultState
	chains  chains // every cursor chain handed out (chains.go)
	stats   counters

	hangHook atomic.Pointer[func()] // tests: called when a request starts hanging
}

// product is one configured product and its single performance.
type product struct {
	code, perf             string
	codeJSON, perfJSON     []byte
	date                   time.Time // performance date
	validFrom, validTo     time.Time
	validFromJS, validToJS []byte
	anniv                  [maxAge + 1]int32 // day number of the age-th anniversary before date
	perfDateJS, nameJS     []byte
}

// mutation is the state an original or replacement ticket was given after
// New (Cancel, Blacklist, Reprint).
type mutation struct {
	state   uint8
	cause   uint16
	at      int64  // unix nanos of the change
	lastLog uint32 // index in log of the latest entry for this ref
}

// extra is a ticket created after New: sold, or the new barcode of a
// reprint (src = ref of the reprinted ticket + 1).
type extra struct {
	src     uint64
	at      int64 // unix nanos of creation or of the last change
	lastLog uint32
	cause   uint16
	product uint16
	state   uint8
}

// Validity window around the performance date.
const (
	validBefore = 4 * time.Hour
	validAfter  = 4 * time.Hour
)

// New builds a simulator; zero Config fields take their defaults.
func New(cfg Config) *Sim {
	cfg.fill()
	now := cfg.Now
	if cfg.EventDate.IsZero() {
		// Kick-off three hours after the current hour, so that whenever the
		// demo or a test starts, the gates are open (validity starts 4 h
		// before kick-off) and the match has not ended.
		cfg.EventDate = now().Truncate(time.Hour).Add(3 * time.Hour)
	}
	s := &Sim{cfg: cfg, now: now, zone: time.UTC}
	if loc, err := time.LoadLocation(cfg.TimeZone); err == nil {
		s.zone = loc
	}
	s.key = mix(uint64(cfg.Seed) ^ 0x5360_5360_5360_5360)
	for k := range s.fkeys {
		s.fkeys[k] = mix(s.key + uint64(k+1)*0x9E3779B97F4A7C15)
	}
	if cfg.Tickets > 0 {
		s.nOrig = uint64(cfg.Tickets)
		s.v0 = ((s.nOrig+blockSize-1)/blockSize + 1) * slotsPerBlock
	}
	s.season2 = "00"
	if n := len(cfg.Season); n >= 2 && isDigit(cfg.Season[n-2]) && isDigit(cfg.Season[n-1]) {
		s.season2 = cfg.Season[n-2:]
	}
	s.seasonJSON = appendJSONString(nil, cfg.Season)
	for j, code := range cfg.Products {
		date := cfg.EventDate.AddDate(0, 0, 7*j)
		p := product{code: code, perf: performanceCode(j), date: date,
			validFrom: date.Add(-validBefore), validTo: date.Add(validAfter)}
		p.codeJSON = appendJSONString(nil, code)
		p.perfJSON = appendJSONString(nil, p.perf)
		p.validFromJS = appendJSONString(nil, s.formatTime(p.validFrom))
		p.validToJS = appendJSONString(nil, s.formatTime(p.validTo))
		p.perfDateJS = appendJSONString(nil, s.formatTime(date))
		p.nameJS = appendJSONString(nil, "Match "+code)
		for age := range p.anniv {
			p.anniv[age] = daysOf(date.Year()-age, date.Month(), date.Day())
		}
		s.prods = append(s.prods, p)
	}
	sum := sha256.Sum256([]byte("s360sim-cursor\x00" + cfg.Institution + "\x00" + cfg.Season + "\x00" +
		string(binary.BigEndian.AppendUint64(nil, uint64(cfg.Seed)))))
	s.cursorBlock, _ = aes.NewCipher(sum[:16]) // 16-byte key: cannot fail
	pw := cfg.Password
	s.password.Store(&pw)
	s.causes = append([]string(nil), fixedCauses...)
	s.causeIdx = make(map[string]uint16, len(s.causes))
	for i, c := range s.causes {
		s.causeIdx[c] = uint16(i)
	}
	s.muts = make(map[uint64]*mutation)
	s.ctl.init()
	s.limiter.init(cfg.RateLimit)
	s.faults.set(Faults{})
	return s
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// formatTime writes a time as the sim sends it: in the institution's zone,
// with its offset, or without one (Config.LocalTimes).
func (s *Sim) formatTime(t time.Time) string {
	if s.cfg.LocalTimes {
		return t.In(s.zone).Format("2006-01-02T15:04:05")
	}
	return t.In(s.zone).Format(time.RFC3339)
}

// Config returns the effective configuration (defaults filled, EventDate
// resolved).
func (s *Sim) Config() Config {
	c := s.cfg
	c.Products = append([]string(nil), c.Products...)
	if p := s.password.Load(); p != nil {
		c.Password = *p
	}
	return c
}

// SetPassword changes the operator password (the HS256 secret) at once:
// tokens signed with the old one are refused from the next request on.
func (s *Sim) SetPassword(p string) { s.password.Store(&p) }

// productIndex maps a product code to its index, -1 if unknown.
func (s *Sim) productIndex(code string) int {
	for j := range s.prods {
		if s.prods[j].code == code {
			return j
		}
	}
	return -1
}

// intern returns the index of a cancellation cause. Caller holds mu (write).
func (s *Sim) intern(cause string) uint16 {
	if i, ok := s.causeIdx[cause]; ok {
		return i
	}
	i := uint16(len(s.causes))
	if int(i) != len(s.causes) { // 65536 distinct causes: reuse the last
		return i - 1
	}
	s.causes = append(s.causes, cause)
	s.causeIdx[cause] = i
	return i
}
