package sqlite

import (
	"context"
	"database/sql"
	"time"
)

// WAL checkpoints copy committed pages from the -wal file into the
// database file. SQLite normally runs one inside the commit that pushes the
// WAL past 1000 pages: that scan (or page of tickets) then pays for copying
// and fsync'ing megabytes, which is exactly a p99 spike at the gate and a
// stall in ingest. Instead a goroutine with its own connection checkpoints
// in the background (PASSIVE: it never blocks the writer or readers) shortly
// after writes. The writer keeps an automatic checkpoint at a much higher
// threshold only as a safety net, so the WAL stays bounded even if the
// background one cannot keep up.
const (
	// writerAutoCheckpoint is the writer's fallback threshold, in pages.
	writerAutoCheckpoint = 16384
	// checkpointEvery is the least time between background checkpoints:
	// often enough that a gate's WAL stays small, seldom enough that during
	// an ingest a page rewritten by several commits is copied once.
	checkpointEvery = 250 * time.Millisecond
	// walSizeLimit truncates the -wal file after a checkpoint reset it.
	walSizeLimit = 64 << 20
)

type checkpointer struct {
	conn *sql.DB
	kick chan struct{}
	stop context.CancelFunc
	done chan struct{}
}

func (db *DB) startCheckpointer(dsn string) error {
	c, err := sql.Open("sqlite", dsn)
	if err != nil {
		return err
	}
	c.SetMaxOpenConns(1)
	c.SetMaxIdleConns(1)
	c.SetConnMaxIdleTime(0)
	if err := c.Ping(); err != nil {
		c.Close()
		return err
	}
	ctx, stop := context.WithCancel(context.Background())
	db.ckpt = &checkpointer{conn: c, kick: make(chan struct{}, 1), stop: stop, done: make(chan struct{})}
	go db.ckpt.run(ctx)
	return nil
}

func (c *checkpointer) run(ctx context.Context) {
	defer close(c.done)
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.kick:
		}
		// Errors (busy, I/O) are left to the next round and, ultimately,
		// to the writer's own automatic checkpoint.
		c.conn.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
		select {
		case <-ctx.Done():
			return
		case <-time.After(checkpointEvery):
		}
	}
}

// wrote tells the checkpointer that the WAL grew. It never blocks.
func (db *DB) wrote() {
	if db.ckpt == nil {
		return
	}
	select {
	case db.ckpt.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) close() error {
	c.stop()
	<-c.done
	return c.conn.Close()
}
