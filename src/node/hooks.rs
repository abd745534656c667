//! Fault injection from outside (TigerBeetle's vortex): the points at which a wrapper around the node may change
//! what it does, for tests of hostile peers with real processes. The node we ship runs [`NoHooks`]: nothing in
//! the product implements [`NodeHooks`] otherwise, and no flag of `ecsync` reaches one. The test binary
//! `ecsync-hostile` (`src/testing/hostile/`, feature `test-utils`) implements it for its hostile kinds and its
//! chain extender.
//!
//! The points sit at the node's IO edges: what is served ([`BlockSource`], wrapped), how the network serves it
//! ([`ServeFaults`]), the engine between two ticks (to extend the chain as a producer does, through
//! [`SyncEngine::import_local`]), what reaches the engine from the network ([`NodeHooks::incoming`], seen, not
//! changed) and what the engine sends ([`NodeHooks::outgoing`], changed at will: a hostile federation member's
//! proposals and votes).

use std::sync::Arc;

use ecsync_components::{ChainSpec, NetEvent, Request};

use crate::engine::SyncEngine;
use crate::network::{BlockSource, NoFaults, ServeFaults};

/// What a wrapper injects into a node; every method's default injects nothing.
pub trait NodeHooks: Send + 'static {
    /// Called once at start, with the chain's spec and the honest source over the store: returns the source the
    /// network serves from. An error stops the start. Default: `honest`.
    fn serve_from(
        &mut self,
        spec: &ChainSpec,
        honest: Arc<dyn BlockSource>,
    ) -> Result<Arc<dyn BlockSource>, Box<dyn std::error::Error + Send + Sync>> {
        let _ = spec;
        Ok(honest)
    }

    /// The protocol breaches the network commits when serving (asked once at start, after
    /// [`NodeHooks::serve_from`]). Default: [`NoFaults`].
    fn serve_faults(&self) -> Arc<dyn ServeFaults> {
        Arc::new(NoFaults)
    }

    /// Called on the engine thread before every tick, at `now_ms` (Unix ms). Default: nothing.
    fn before_tick(&mut self, engine: &mut SyncEngine, now_ms: u64) {
        let _ = (engine, now_ms);
    }

    /// Called on the engine thread with each network event, before the engine handles it. Default: nothing.
    fn incoming(&mut self, event: &NetEvent) {
        let _ = event;
    }

    /// Called on the engine thread after every tick at `now_ms` (Unix ms) with the requests the engine made,
    /// oldest first, before they go to the network: the hook may change, drop or add requests. Default: nothing.
    fn outgoing(&mut self, requests: &mut Vec<Request>, now_ms: u64) {
        let _ = (requests, now_ms);
    }
}

/// No hook: the node as it is shipped.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoHooks;

impl NodeHooks for NoHooks {}
