package forecast

import "sort"

// topKCapacity bounds how many principals or API calls are counted. Below
// it counts are exact; above it topK keeps the heaviest (Space-Saving:
// Metwally et al., 2005), so memory stays flat on any input.
const topKCapacity = 10000

// topK counts keys in bounded memory.
type topK struct {
	capacity int
	counts   map[string]int64
	// approximate is set once a key was evicted: counts may then be
	// overestimated by at most the evicted minimum.
	approximate bool
}

func newTopK(capacity int) *topK {
	return &topK{capacity: capacity, counts: map[string]int64{}}
}

func (t *topK) add(key string, n int64) {
	if _, ok := t.counts[key]; ok || len(t.counts) < t.capacity {
		t.counts[key] += n
		return
	}
	// Space-Saving: the new key takes the place, and the count, of the
	// smallest one. The scan is linear, but only alerting events get here.
	minKey, minCount := "", int64(-1)
	for k, c := range t.counts {
		if minCount < 0 || c < minCount || (c == minCount && k < minKey) {
			minKey, minCount = k, c
		}
	}
	delete(t.counts, minKey)
	t.counts[key] = minCount + n
	t.approximate = true
}

func (t *topK) merge(o *topK) {
	t.approximate = t.approximate || o.approximate
	for k, c := range o.counts {
		t.counts[k] += c
	}
	if len(t.counts) <= t.capacity {
		return
	}
	all := t.top(len(t.counts))
	t.counts = map[string]int64{}
	for _, c := range all[:t.capacity] {
		t.counts[c.Key] = c.Count
	}
	t.approximate = true
}

// Count is one key's count.
type Count struct {
	Key   string `json:"key"`
	Count int64  `json:"count"`
}

// top returns the n largest counts, largest first, ties by key.
func (t *topK) top(n int) []Count {
	out := make([]Count, 0, len(t.counts))
	for k, c := range t.counts {
		out = append(out, Count{Key: k, Count: c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Key < out[j].Key
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}
