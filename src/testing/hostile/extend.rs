//! `ecsync-hostile node --extend-every-ms N`: the node extends its (generated) chain by one block every N ms,
//! signed with every key of the dev federation, ignoring the production gate, in lockstep with the other nodes
//! of the same chain. Tests use it for a head that moves; real nodes produce with `--authority-keys FILE
//! --produce`.

use ecsync_systems::chaingen::ChainGenerator;

use crate::engine::SyncEngine;

/// Extends the chain before a tick on each new multiple of the interval since the Unix epoch: nodes of the same
/// chain extend at the same instants, with the same blocks.
pub struct Extender {
    generator: ChainGenerator,
    every_ms: u64,
    /// The multiple of the interval last seen (none before the first tick: the first extension waits for the
    /// next multiple).
    last: Option<u64>,
}

impl Extender {
    /// An extender of `generator`'s chain every `every_ms` (at least 1).
    pub fn new(generator: ChainGenerator, every_ms: u64) -> Self {
        Self {
            generator,
            every_ms: every_ms.max(1),
            last: None,
        }
    }

    /// Before the tick at `now_ms`: one block more if a new multiple of the interval began.
    pub fn before_tick(&mut self, engine: &mut SyncEngine, now_ms: u64) {
        let slot = now_ms / self.every_ms;
        let due = self.last.is_some_and(|last| slot > last);
        if self.last.is_none() || due {
            self.last = Some(slot);
        }
        if due {
            self.extend(engine);
        }
    }

    /// Imports the head's child, as the producer imports a block it made ([`SyncEngine::import_local`]).
    fn extend(&self, engine: &mut SyncEngine) {
        let head = engine.head();
        let parent = if head.height == 0 {
            Some(self.generator.genesis().clone())
        } else {
            engine.store().block(head.height).ok().flatten()
        };
        let Some(parent) = parent else {
            tracing::warn!("cannot extend: block {} is not in the store", head.height);
            return;
        };
        let block = self.generator.sign(self.generator.child(&parent));
        if let Err(e) = engine.import_local(block) {
            tracing::warn!("cannot extend the chain at {}: {e}", head.height + 1);
        }
    }
}
