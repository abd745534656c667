//! The block cache's metrics (src/store/cache.rs: the encodings a serving node read recently, in front of redb).

use std::sync::Arc;

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::store::BlockCache;

/// The block cache's metrics, and what they last saw.
#[derive(Clone, Default)]
pub struct CacheMetrics {
    /// The cache the node's reads go through (none until the node wires it).
    cache: Option<Arc<BlockCache>>,
    blocks: Gauge,
    bytes: Gauge,
    hits: Counter,
    misses: Counter,
    last_hits: u64,
    last_misses: u64,
}

impl CacheMetrics {
    /// Registers them (under the registry's `ecsync` prefix).
    pub fn register(&self, r: &mut Registry) {
        r.register(
            "block_cache_blocks",
            "Blocks held by the block cache in front of the store's range reads",
            self.blocks.clone(),
        );
        r.register(
            "block_cache_bytes",
            "What the block cache's blocks count against its bound (encodings plus a fixed overhead each)",
            self.bytes.clone(),
        );
        r.register(
            "block_cache_hits",
            "Blocks served from the block cache",
            self.hits.clone(),
        );
        r.register(
            "block_cache_misses",
            "Range reads that found a block missing in the block cache and went on in the store",
            self.misses.clone(),
        );
    }

    /// Watches `cache` from now on.
    pub fn watch(&mut self, cache: Arc<BlockCache>) {
        self.cache = Some(cache);
    }

    /// Updates from the watched cache (nothing without one).
    pub fn update(&mut self) {
        let Some(cache) = &self.cache else {
            return;
        };
        let to_i64 = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
        self.blocks.set(to_i64(cache.len()));
        self.bytes.set(to_i64(cache.used_bytes()));
        let (hits, misses) = cache.hits_and_misses();
        self.hits.inc_by(hits.saturating_sub(self.last_hits));
        self.misses.inc_by(misses.saturating_sub(self.last_misses));
        (self.last_hits, self.last_misses) = (hits, misses);
    }
}
