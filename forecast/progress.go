package forecast

import (
	"fmt"
	"io"
	"time"
)

// ShowProgress rewrites one status line on w every interval until stop is
// called: files and bytes done, rate and time left. The caller decides
// whether w is a terminal; on anything else progress lines are noise.
func ShowProgress(w io.Writer, p *Progress, interval time.Duration) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(finished)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				fmt.Fprint(w, "\r\033[K")
				return
			case <-t.C:
				fmt.Fprint(w, "\r\033[K"+progressLine(p.Snapshot(), time.Since(start)))
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// progressLine renders one snapshot.
func progressLine(s ProgressSnapshot, elapsed time.Duration) string {
	if s.QuietTotal > 0 {
		return fmt.Sprintf("%d/%d files read; replaying alerts in time order through the quiet rules: %d/%d",
			s.FilesDone, s.FilesTotal, s.QuietDone, s.QuietTotal)
	}
	rate := float64(s.BytesDone) / elapsed.Seconds()
	left := "?"
	if rate > 0 && s.BytesTotal >= s.BytesDone {
		left = time.Duration(float64(s.BytesTotal-s.BytesDone) / rate * float64(time.Second)).Round(time.Second).String()
	}
	return fmt.Sprintf("%d/%d files, %s/%s, %s/s, %s left",
		s.FilesDone, s.FilesTotal, humanBytes(s.BytesDone), humanBytes(s.BytesTotal), humanBytes(int64(rate)), left)
}
