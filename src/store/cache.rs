//! The block cache: a bounded in-memory copy of recently served block encodings, in front of redb, so that serving
//! a hot range costs a reference count per block instead of a page read (a `pread` and an allocation per page)
//! and a copy per block.
//!
//! - What it holds: encodings by height, each one shared ([`Bytes`]) between the cache and the answers being
//!   written, never copied again after it entered.
//! - How it fills: a read puts what it read from redb, but a block whose child it did not see. Imports do not
//!   fill it: copying each block in cost a syncing node 6 % of its CPU, on its engine thread, and 20 MiB for
//!   blocks nobody asked for; a block's first reader pays one redb read instead (and a block imported alone, at
//!   the head, could not be cached anyway).
//! - Its bound: [`BlockCache::max_bytes`] (default [`BLOCK_CACHE_BYTES`]), counting each block's encoding plus
//!   [`ENTRY_OVERHEAD`]. When a fill would exceed it, the blocks that entered first leave first (FIFO); a block
//!   larger than the whole bound is never cached.
//! - Coherence: a stored block's encoding is final once its child is stored: the import of a child stores its
//!   parent again when the child carries another certificate of it (the canonical approval, which
//!   `parent_approval_root` commits to), and only the head has no child. So the cache holds settled blocks only,
//!   and a read mixing cached runs with redb reads serves one committed state: each redb part is read in a
//!   transaction begun after the cache lookup that ends it. A block stored again is forgotten
//!   ([`BlockCache::forget`]); a rollback at boot drops every cached block above the new head
//!   ([`BlockCache::invalidate_from`]). Both start a new generation: a fill read from an older snapshot (noted
//!   before its transaction began) is dropped. A crash empties the cache (process memory).

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use bytes::Bytes;

/// The block cache's bound by default: 32 MiB, about 24,000 blocks of 1.3 kB (the ones a node served last).
pub const BLOCK_CACHE_BYTES: usize = 32 << 20;

/// Bytes counted per cached block beyond its encoding: its map entry, its shared handle and its place in the
/// eviction order.
pub const ENTRY_OVERHEAD: usize = 96;

/// Encoded blocks by height, bounded by bytes (see the module documentation).
#[derive(Debug)]
pub struct BlockCache {
    /// The bound, in bytes (encodings plus [`ENTRY_OVERHEAD`] each).
    max_bytes: AtomicUsize,
    inner: Mutex<Inner>,
}

/// The cached blocks and their books.
#[derive(Debug, Default)]
struct Inner {
    /// Encodings by height.
    blocks: BTreeMap<u64, Bytes>,
    /// The heights of `blocks`, each once, in the order they entered: the first leaves first.
    order: VecDeque<u64>,
    /// What `blocks` counts against the bound.
    bytes: usize,
    /// Bumped by every invalidation: a fill read before it is dropped.
    generation: u64,
    /// Blocks served from the cache.
    hits: u64,
    /// Cached runs that ended short of their read: the read went on in redb.
    misses: u64,
}

/// What a lookup found after appending the cached run from its start, and how the read goes on.
#[derive(Debug, Clone, Copy)]
pub(super) struct Run {
    /// The read is complete: its count reached, or its byte cap (nothing more is read then).
    pub(super) complete: bool,
    /// The next cached height above the first one missing, below the range's end: where a store read of the
    /// missing part may stop and the cache take over again.
    pub(super) resume: Option<u64>,
    /// The generation when it was looked up: a fill of what the read finds in the store carries it.
    pub(super) generation: u64,
}

/// What counts against the bound for an encoding of `len` bytes.
fn cost(len: usize) -> usize {
    len.saturating_add(ENTRY_OVERHEAD)
}

impl BlockCache {
    /// An empty cache of at most `max_bytes`.
    pub fn new(max_bytes: usize) -> Self {
        Self {
            max_bytes: AtomicUsize::new(max_bytes),
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The bound, in bytes.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes.load(Ordering::Relaxed)
    }

    /// Changes the bound (0: nothing is cached), evicting at once what exceeds it.
    pub fn set_max_bytes(&self, max_bytes: usize) {
        self.max_bytes.store(max_bytes, Ordering::Relaxed);
        let mut inner = self.lock();
        inner.evict_to(max_bytes);
    }

    /// What the cached blocks count against the bound now (encodings plus [`ENTRY_OVERHEAD`] each).
    pub fn used_bytes(&self) -> usize {
        self.lock().bytes
    }

    /// Blocks cached now.
    pub fn len(&self) -> usize {
        self.lock().blocks.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Blocks served from the cache so far, and the times a read found a block missing and went on in redb.
    pub fn hits_and_misses(&self) -> (u64, u64) {
        let inner = self.lock();
        (inner.hits, inner.misses)
    }

    /// Whether the block at `height` is cached.
    pub fn contains(&self, height: u64) -> bool {
        self.lock().blocks.contains_key(&height)
    }

    /// Appends to `out` the cached run of `start..end`: consecutive heights from `start`, while `total` (the
    /// bytes of `out`, kept up to date) stays within `max_bytes`, but the first block of `out` always, as a read of
    /// the store cuts it.
    pub(super) fn take_run(
        &self,
        start: u64,
        end: u64,
        max_bytes: usize,
        out: &mut Vec<Bytes>,
        total: &mut usize,
    ) -> Run {
        let mut inner = self.lock();
        let taken = out.len();
        let mut complete = start >= end;
        let mut missing = start;
        for (&height, bytes) in inner.blocks.range(start..end) {
            if height != missing {
                break;
            }
            if !out.is_empty() && total.saturating_add(bytes.len()) > max_bytes {
                complete = true;
                break;
            }
            *total += bytes.len();
            out.push(bytes.clone());
            match height.checked_add(1) {
                Some(next) if next < end => missing = next,
                _ => {
                    complete = true;
                    break;
                }
            }
        }
        inner.hits += (out.len() - taken) as u64;
        let resume = if complete {
            None
        } else {
            inner.misses += 1;
            inner.blocks.range(missing..end).next().map(|(h, _)| *h)
        };
        Run {
            complete,
            resume,
            generation: inner.generation,
        }
    }

    /// Puts `blocks`, the encodings of heights `first..`, read from a redb snapshot taken in `generation`; dropped
    /// if the cache was invalidated since.
    pub(super) fn fill(&self, generation: u64, first: u64, blocks: &[Bytes]) {
        let max = self.max_bytes();
        if max == 0 || blocks.is_empty() {
            return;
        }
        let mut inner = self.lock();
        if inner.generation != generation {
            return;
        }
        for (height, bytes) in (first..).zip(blocks) {
            inner.put(height, bytes.clone(), max);
        }
    }

    /// Drops the blocks at `heights` (a writer stored them again) and starts a new generation.
    pub fn forget(&self, heights: &[u64]) {
        self.lock().forget(heights);
    }

    /// Drops every cached block at or above `height` and starts a new generation: a store rolled back below
    /// `height` no longer holds them.
    pub fn invalidate_from(&self, height: u64) {
        let mut inner = self.lock();
        let gone = inner.blocks.split_off(&height);
        let freed: usize = gone.values().map(|b| cost(b.len())).sum();
        inner.bytes -= freed;
        if !gone.is_empty() {
            inner.order.retain(|h| *h < height);
        }
        inner.generation += 1;
    }
}

impl Inner {
    /// Drops the blocks at `heights` and starts a new generation.
    fn forget(&mut self, heights: &[u64]) {
        let mut freed = 0;
        for height in heights {
            if let Some(bytes) = self.blocks.remove(height) {
                freed += cost(bytes.len());
            }
        }
        if freed > 0 {
            self.bytes -= freed;
            self.order.retain(|h| !heights.contains(h));
        }
        self.generation += 1;
    }

    /// Caches `bytes` at `height` (unless there already, or larger than `max` alone), evicting the oldest entries
    /// to stay within `max`.
    fn put(&mut self, height: u64, bytes: Bytes, max: usize) {
        let cost = cost(bytes.len());
        if cost > max || self.blocks.contains_key(&height) {
            return;
        }
        self.evict_to(max - cost);
        self.bytes += cost;
        self.blocks.insert(height, bytes);
        self.order.push_back(height);
    }

    /// Evicts the oldest entries until the cached blocks count at most `max`.
    fn evict_to(&mut self, max: usize) {
        while self.bytes > max {
            let Some(height) = self.order.pop_front() else {
                break;
            };
            if let Some(bytes) = self.blocks.remove(&height) {
                self.bytes -= cost(bytes.len());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(height: u64, len: usize) -> Bytes {
        Bytes::from(vec![height as u8; len])
    }

    /// The cached run of `start..end` within `max_bytes`: its blocks, their size, and how a read goes on.
    fn lookup(
        cache: &BlockCache,
        start: u64,
        end: u64,
        max_bytes: usize,
    ) -> (Vec<Bytes>, usize, Run) {
        let (mut out, mut total) = (Vec::new(), 0);
        let run = cache.take_run(start, end, max_bytes, &mut out, &mut total);
        (out, total, run)
    }

    /// Caches heights `range` of `len` bytes each, as a read would.
    fn fill(cache: &BlockCache, range: std::ops::Range<u64>, len: usize) {
        let generation = lookup(cache, range.start, range.start, usize::MAX)
            .2
            .generation;
        let blocks: Vec<Bytes> = range.clone().map(|h| block(h, len)).collect();
        cache.fill(generation, range.start, &blocks);
    }

    #[test]
    fn the_bound_counts_bytes_and_the_oldest_leave_first() {
        let cache = BlockCache::new(10 * cost(100));
        fill(&cache, 0..10, 100);
        assert_eq!((cache.len(), cache.used_bytes()), (10, 10 * cost(100)));
        fill(&cache, 10..13, 100);
        assert_eq!(cache.len(), 10);
        assert!(cache.used_bytes() <= cache.max_bytes());
        assert!(!cache.contains(2) && cache.contains(3) && cache.contains(12));
        // A bigger block pushes out as many as it needs.
        fill(&cache, 13..14, 350);
        assert!(cache.used_bytes() <= cache.max_bytes());
        assert!(!cache.contains(5) && cache.contains(6) && cache.contains(13));
        // A block larger than the whole bound is never cached, and evicts nothing.
        let before = cache.len();
        fill(&cache, 14..15, 10 * cost(100));
        assert!(!cache.contains(14));
        assert_eq!(cache.len(), before);
        cache.set_max_bytes(0);
        assert_eq!((cache.len(), cache.used_bytes()), (0, 0));
        fill(&cache, 20..21, 1);
        assert!(cache.is_empty(), "a cache of 0 bytes keeps nothing");
    }

    #[test]
    fn a_run_is_cut_as_a_store_read_is() {
        let cache = BlockCache::new(usize::MAX);
        fill(&cache, 5..10, 100);
        fill(&cache, 11..12, 100);
        let (blocks, total, run) = lookup(&cache, 5, 20, usize::MAX);
        assert_eq!(
            (blocks.len(), total, run.complete, run.resume),
            (5, 500, false, Some(11))
        );
        let (blocks, _, run) = lookup(&cache, 5, 8, usize::MAX);
        assert_eq!((blocks.len(), run.complete, run.resume), (3, true, None));
        let (blocks, total, run) = lookup(&cache, 5, 20, 250);
        assert_eq!((blocks.len(), total, run.complete), (2, 200, true));
        let (blocks, _, run) = lookup(&cache, 5, 20, 1);
        assert_eq!(
            (blocks.len(), run.complete),
            (1, true),
            "the first block always"
        );
        let (blocks, _, run) = lookup(&cache, 4, 20, usize::MAX);
        assert_eq!(
            (blocks.len(), run.complete, run.resume),
            (0, false, Some(5))
        );
        let (blocks, _, run) = lookup(&cache, 5, 11, usize::MAX);
        assert_eq!((blocks.len(), run.complete, run.resume), (5, false, None));
        let (blocks, _, run) = lookup(&cache, 7, 7, 0);
        assert_eq!((blocks.len(), run.complete), (0, true));
        let (blocks, _, run) = lookup(&cache, u64::MAX - 1, u64::MAX, usize::MAX);
        assert!(blocks.is_empty() && !run.complete);
        // A run appended to blocks read before it: the cap counts them, and the first block is not exempt.
        let (mut out, mut total) = (vec![block(0, 100)], 100);
        let run = cache.take_run(5, 20, 250, &mut out, &mut total);
        assert_eq!((out.len(), total, run.complete), (2, 200, true));
        // The same bytes, not copies.
        let a = lookup(&cache, 5, 6, usize::MAX).0;
        assert_eq!(
            a[0].as_ptr(),
            lookup(&cache, 5, 6, usize::MAX).0[0].as_ptr()
        );
    }

    #[test]
    fn an_invalidation_drops_what_is_above_and_any_fill_read_before_it() {
        let cache = BlockCache::new(usize::MAX);
        fill(&cache, 0..10, 100);
        let stale = lookup(&cache, 10, 20, usize::MAX).2.generation;
        cache.invalidate_from(6);
        assert_eq!((cache.len(), cache.used_bytes()), (6, 6 * cost(100)));
        assert!(cache.contains(5) && !cache.contains(6));
        // A read that began before the rollback (its snapshot may hold the deleted blocks) caches nothing.
        cache.fill(stale, 6, &[block(6, 100), block(7, 100)]);
        assert!(!cache.contains(6) && !cache.contains(7));
        // The order follows: the survivors still leave oldest first.
        cache.set_max_bytes(3 * cost(100));
        assert!(cache.contains(5) && !cache.contains(2));
        fill(&cache, 6..7, 100);
        assert!(cache.contains(6) && !cache.contains(3));
    }

    #[test]
    fn a_rewritten_block_is_forgotten_with_any_fill_read_before_it() {
        let cache = BlockCache::new(usize::MAX);
        fill(&cache, 0..10, 100);
        let stale = lookup(&cache, 20, 30, usize::MAX).2.generation;
        // A commit stored 9 again (another approval), and 11, which was not cached.
        cache.forget(&[9, 11]);
        assert!(cache.contains(8) && !cache.contains(9) && cache.contains(0));
        assert_eq!(cache.used_bytes(), 9 * cost(100));
        cache.fill(stale, 9, &[block(9, 100)]);
        assert!(!cache.contains(9), "read before the rewrite: not cached");
        fill(&cache, 9..10, 100);
        assert!(cache.contains(9), "read after it: cached");
    }
}
