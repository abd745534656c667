//! The named transitions of ranges and pending blocks: the only code that changes a range's state, a block's
//! stage, the byte buffer or a peer's load.
//!
//! A range is in exactly one state (docs/ARCHITECTURE.md draws the diagram):
//!
//! ```text
//!   plan ──► AwaitingDownload ──start_download──► Downloading ──deliver──► Downloading+Delivered
//!                 ▲                                  │                          │
//!                 └───────────── fail_range ◄────────┴───── accept_answer ──────┤
//!                 ▲                                                             ▼
//!                 └────────────── fail_range ◄───────────────────────── AwaitingImport ──import_prefix──► gone
//! ```
//!
//! and a pending block in exactly one stage: `Downloaded` → `Validating` → `Validated` → `ReadyToImport` →
//! imported.
//!
//! As Lighthouse's `range_sync/batch.rs`, each forward transition checks the state it leaves and returns a
//! [`TransitionError`] when it is another; `fail_range` and `abandon_range` accept any state (a failure may race
//! another: a timeout and a disconnect in one tick). Systems queue transitions through the [`Transitions`]
//! extension of `Commands` (as bevy_transform's `commands.rs`), so they apply at the next sync point, in order,
//! with exclusive access; a wrong state there is a bug: it panics under strict bookkeeping
//! (`ecsync_components::strict()`: tests, simulations) and is counted in `EngineCounters::transition_errors`
//! otherwise (a running node).

use bevy_ecs::prelude::MessageWriter;
use bevy_ecs::prelude::{Commands, Component, Entity, With, World};
use ecsync_components::ecs::{
    AwaitingDownload, AwaitingImport, CheckedBlock, Delivered, Downloaded, Downloading, Peer,
    PeerClaim, PeerLoad, PendingBlock, Range, RangeAttempts, ReadyToImport,
};
use ecsync_components::resources::{
    Buffer, ChainHead, Clock, EngineCounters, Outbox, PeerIndex, PlanCursor, RequestCounter,
};
use ecsync_components::{
    MAX_RESPONSE_BYTES, Offence, OutcomeKind, PeerId, PeerOutcome, Request, RequestId, SyncConfig,
};

/// A range's state, read off its marker components.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeState {
    /// Waiting for a peer.
    AwaitingDownload,
    /// Requested; no answer yet.
    Downloading,
    /// Requested and answered; the answer is not yet taken.
    Delivered,
    /// Downloaded: its blocks are pending entities.
    AwaitingImport,
}

/// A transition asked of an entity in the wrong state: a bug in the system that queued it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The entity is not a range (any more).
    #[error("{transition}: {entity} is not a range")]
    NotARange {
        /// The transition.
        transition: &'static str,
        /// The entity.
        entity: Entity,
    },
    /// The range is in another state than the transition leaves.
    #[error("{transition}: range {range} is {found:?}, not {expected:?}")]
    WrongState {
        /// The transition.
        transition: &'static str,
        /// The range.
        range: Entity,
        /// The state it must leave.
        expected: RangeState,
        /// The state it is in (None: none or several).
        found: Option<RangeState>,
    },
    /// The block is not in the stage the transition leaves.
    #[error("{transition}: block {block} is not {expected}")]
    WrongStage {
        /// The transition.
        transition: &'static str,
        /// The block.
        block: Entity,
        /// The stage it must leave.
        expected: &'static str,
    },
}

/// The state of `range` (`Err` if it is not a range; `Ok(None)` if it has no state or several).
pub fn range_state(world: &World, range: Entity) -> Result<Option<RangeState>, Entity> {
    let e = world.get_entity(range).map_err(|_| range)?;
    if !e.contains::<Range>() {
        return Err(range);
    }
    let states = [
        (
            e.contains::<AwaitingDownload>(),
            RangeState::AwaitingDownload,
        ),
        (e.contains::<Downloading>(), RangeState::Downloading),
        (e.contains::<AwaitingImport>(), RangeState::AwaitingImport),
    ];
    let mut present = states.iter().filter(|(has, _)| *has).map(|(_, s)| *s);
    let (first, second) = (present.next(), present.next());
    Ok(match (first, second) {
        (Some(RangeState::Downloading), None) if e.contains::<Delivered>() => {
            Some(RangeState::Delivered)
        }
        (Some(s), None) => Some(s),
        _ => None,
    })
}

/// Checks that `range` is in `expected`.
fn expect_state(
    world: &World,
    range: Entity,
    expected: RangeState,
    transition: &'static str,
) -> Result<(), TransitionError> {
    match range_state(world, range) {
        Ok(Some(s)) if s == expected => Ok(()),
        Ok(found) => Err(TransitionError::WrongState {
            transition,
            range,
            expected,
            found,
        }),
        Err(entity) => Err(TransitionError::NotARange { transition, entity }),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Forward transitions

/// AwaitingDownload → Downloading: asks `peer` for the range (a request id, the outbox, the peer's load, the
/// range's attempts, `reserve` buffer bytes set aside for the answer, the deadline `timeout_ms` from now).
pub fn start_download(
    world: &mut World,
    range: Entity,
    peer: Entity,
    timeout_ms: u64,
    reserve: u64,
) -> Result<Option<RequestId>, TransitionError> {
    expect_state(world, range, RangeState::AwaitingDownload, "start_download")?;
    let r = *world.get::<Range>(range).expect("checked");
    let Some(peer_id) = world.get::<Peer>(peer).map(|p| p.id) else {
        // The peer left since the system chose it: the range waits for another.
        return Ok(None);
    };
    let now = world.resource::<Clock>().now_ms;
    let request = {
        let mut ids = world.resource_mut::<RequestCounter>();
        ids.0 += 1;
        RequestId(ids.0)
    };
    world
        .resource_mut::<Outbox>()
        .0
        .push(Request::BlocksByRange {
            peer: peer_id,
            request,
            start: r.start,
            count: r.count,
            // No reservation (the sequential strategy keeps no buffer): the protocol's cap.
            max_bytes: match reserve {
                0 => MAX_RESPONSE_BYTES,
                r => u32::try_from(r).unwrap_or(u32::MAX).min(MAX_RESPONSE_BYTES),
            },
        });
    world.resource_mut::<EngineCounters>().requests_sent += 1;
    world.resource_mut::<Buffer>().reserve(reserve);
    if let Some(mut load) = world.get_mut::<PeerLoad>(peer) {
        load.in_flight += 1;
    }
    let mut e = world.entity_mut(range);
    if let Some(mut attempts) = e.get_mut::<RangeAttempts>() {
        attempts.attempts += 1;
    }
    e.remove::<AwaitingDownload>().insert(Downloading {
        peer,
        peer_id,
        request,
        sent_at_ms: now,
        deadline_ms: now + timeout_ms,
        reserved_bytes: reserve,
    });
    Ok(Some(request))
}

/// Downloading → Downloading + Delivered: the answer to its request arrived.
pub fn deliver(
    world: &mut World,
    range: Entity,
    delivered: Delivered,
) -> Result<(), TransitionError> {
    expect_state(world, range, RangeState::Downloading, "deliver")?;
    world.entity_mut(range).insert(delivered);
    Ok(())
}

/// Delivered → AwaitingImport: the download is over (reservation and peer slot released) and the checked
/// `blocks` (with their canonical encodings, which they keep) become pending blocks, as many as fit under `cap`;
/// heights not admitted become a new AwaitingDownload range. A range with nothing admitted goes. Returns the
/// blocks admitted.
pub fn accept_answer(
    world: &mut World,
    range: Entity,
    blocks: Vec<CheckedBlock>,
    cap: u64,
) -> Result<u32, TransitionError> {
    expect_state(world, range, RangeState::Delivered, "accept_answer")?;
    let dl = end_download(world, range);
    let r = *world.get::<Range>(range).expect("checked");
    let mut accepted = Vec::with_capacity(blocks.len());
    for (block, bytes) in blocks {
        let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        let mut buffer = world.resource_mut::<Buffer>();
        if !buffer.fits(u64::from(len), cap) {
            break;
        }
        buffer.admit(len);
        // The one hash of a downloaded block: validation, sequencing and the store use it.
        let hash = block.hash();
        let pending = PendingBlock::new(block, hash, bytes, range);
        accepted.push(world.spawn((pending, Downloaded)).id());
    }
    let served = accepted.len() as u32;
    world.resource_mut::<EngineCounters>().blocks_downloaded += u64::from(served);
    if served < r.count {
        world.spawn(Range::waiting(
            r.start + u64::from(served),
            r.count - served,
        ));
    }
    if served == 0 {
        world.despawn(range);
    } else {
        let mut e = world.entity_mut(range);
        e.get_mut::<Range>().expect("checked").count = served;
        e.insert(AwaitingImport {
            peer: dl.peer,
            peer_id: dl.peer_id,
            blocks: accepted,
        });
    }
    Ok(served)
}

/// AwaitingImport → imported: its first `n` blocks (all ReadyToImport, just committed to the store) leave the
/// buffer and the world; the range shrinks to the rest, or goes.
pub fn import_prefix(world: &mut World, range: Entity, n: usize) -> Result<(), TransitionError> {
    expect_state(world, range, RangeState::AwaitingImport, "import_prefix")?;
    let blocks = world
        .get::<AwaitingImport>(range)
        .expect("checked")
        .blocks
        .clone();
    if n > blocks.len()
        || blocks[..n]
            .iter()
            .any(|b| !world.entity(*b).contains::<ReadyToImport>())
    {
        return Err(TransitionError::WrongStage {
            transition: "import_prefix",
            block: blocks.get(n.saturating_sub(1)).copied().unwrap_or(range),
            expected: "ReadyToImport",
        });
    }
    despawn_blocks(world, &blocks[..n]);
    if n == blocks.len() {
        world.despawn(range);
        return Ok(());
    }
    let mut e = world.entity_mut(range);
    e.get_mut::<AwaitingImport>()
        .expect("checked")
        .blocks
        .drain(..n);
    let mut r = e.get_mut::<Range>().expect("checked");
    r.start += n as u64;
    r.count -= n as u32;
    Ok(())
}

/// Moves a pending block from stage `From` to stage `To` (Downloaded → Validating → Validated → ReadyToImport).
pub fn advance_block<From: Component, To: Component + Default>(
    world: &mut World,
    block: Entity,
) -> Result<(), TransitionError> {
    let wrong = || TransitionError::WrongStage {
        transition: "advance_block",
        block,
        expected: std::any::type_name::<From>()
            .rsplit("::")
            .next()
            .unwrap_or("?"),
    };
    let mut e = world.get_entity_mut(block).map_err(|_| wrong())?;
    if !e.contains::<PendingBlock>() || e.take::<From>().is_none() {
        return Err(wrong());
    }
    e.insert(To::default());
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// Failures and clean-up: any state

/// Ends a download (if the range is downloading): releases its reservation and the peer's slot.
fn end_download(world: &mut World, range: Entity) -> Downloading {
    let dl = world.get::<Downloading>(range).copied();
    let Some(dl) = dl else {
        unreachable!("end_download of a range that is not downloading")
    };
    world.resource_mut::<Buffer>().release(dl.reserved_bytes);
    if let Some(mut load) = world.get_mut::<PeerLoad>(dl.peer) {
        ecsync_components::strict_assert!(
            load.in_flight > 0,
            "peer {} has no load to release",
            dl.peer
        );
        load.in_flight = load.in_flight.saturating_sub(1);
    }
    world.entity_mut(range).remove::<(Downloading, Delivered)>();
    dl
}

/// Despawns pending blocks and takes them out of the buffer.
fn despawn_blocks(world: &mut World, blocks: &[Entity]) {
    let (mut bytes, mut count) = (0u64, 0u64);
    for &block in blocks {
        if let Some(p) = world.get::<PendingBlock>(block) {
            bytes += u64::from(p.encoded_len());
            count += 1;
        }
        world.despawn(block);
    }
    world.resource_mut::<Buffer>().free(bytes, count);
}

/// Undoes whatever the range was doing: download ended, pending blocks dropped. No state is left.
fn undo(world: &mut World, range: Entity) {
    if world.get::<Downloading>(range).is_some() {
        end_download(world, range);
    }
    if let Some(awaiting) = world.entity_mut(range).take::<AwaitingImport>() {
        despawn_blocks(world, &awaiting.blocks);
    }
    world.entity_mut(range).remove::<AwaitingDownload>();
}

/// Any state → AwaitingDownload: whatever it was doing is undone, `blame` (if any) joins its failed peers.
/// Queuing it twice is harmless; a range that is gone is left alone.
pub fn fail_range(world: &mut World, range: Entity, blame: Option<PeerId>) {
    if range_state(world, range).is_err() {
        return;
    }
    undo(world, range);
    let mut e = world.entity_mut(range);
    if let Some(peer) = blame
        && let Some(mut attempts) = e.get_mut::<RangeAttempts>()
        && !attempts.failed_peers.contains(&peer)
    {
        attempts.failed_peers.push(peer);
    }
    e.insert(AwaitingDownload);
}

/// Any state → gone: undone and despawned (its heights belong to no range afterwards).
pub fn abandon_range(world: &mut World, range: Entity) {
    if range_state(world, range).is_err() {
        return;
    }
    undo(world, range);
    world.despawn(range);
}

/// A downloaded range holds a block that breaks a rule: the peer that served it is blamed (an `Invalid`
/// outcome, which bans it) and the range fails, blaming it.
pub fn reject_range(
    commands: &mut Commands,
    outcomes: &mut MessageWriter<PeerOutcome>,
    range: Entity,
    served_by: &AwaitingImport,
    offence: Offence,
) {
    outcomes.write(PeerOutcome {
        peer: served_by.peer,
        peer_id: served_by.peer_id,
        kind: OutcomeKind::Invalid(offence),
        latency_ms: None,
    });
    Transitions::fail_range(commands, range, Some(served_by.peer_id));
}

/// Removes a peer: its downloads go back to AwaitingDownload (without blame), the entity goes.
pub fn remove_peer(world: &mut World, peer: Entity) {
    let mut downloads = world.query::<(Entity, &Downloading)>();
    let ranges: Vec<Entity> = downloads
        .iter(world)
        .filter(|(_, d)| d.peer == peer)
        .map(|(e, _)| e)
        .collect();
    for range in ranges {
        fail_range(world, range, None);
    }
    if let Some(p) = world.get::<Peer>(peer) {
        let id = p.id;
        // Only its own entry: the same peer may have reconnected (a new entity) since this removal was queued.
        let mut index = world.resource_mut::<PeerIndex>();
        if index.0.get(&id) == Some(&peer) {
            index.0.remove(&id);
        }
    }
    if let Ok(e) = world.get_entity_mut(peer) {
        e.despawn();
    }
}

/// Makes room for the import frontier: drops the highest downloaded ranges (back to AwaitingDownload, no blame)
/// until `need` more bytes fit under `cap`, never the range that starts at `frontier`. Returns ranges dropped.
pub fn evict_for_frontier(world: &mut World, frontier: u64, need: u64, cap: u64) -> u64 {
    let mut q = world.query_filtered::<(Entity, &Range), With<AwaitingImport>>();
    let mut candidates: Vec<(u64, Entity)> = q
        .iter(world)
        .filter(|(_, r)| r.start != frontier)
        .map(|(e, r)| (r.start, e))
        .collect();
    candidates.sort_unstable_by_key(|c| std::cmp::Reverse(c.0));
    let mut dropped = 0;
    for (_, range) in candidates {
        if world.resource::<Buffer>().fits(need, cap) {
            break;
        }
        fail_range(world, range, None);
        dropped += 1;
    }
    world.resource_mut::<EngineCounters>().ranges_evicted += dropped;
    dropped
}

/// Starts sync over from the imported head: every range is abandoned (so the buffer empties through the same
/// accounting), peers' discredits are cleared, planning restarts at head + 1. Used by recovery from Failed.
pub fn reset_sync(world: &mut World) {
    let mut ranges = world.query_filtered::<Entity, With<Range>>();
    for range in ranges.iter(world).collect::<Vec<_>>() {
        abandon_range(world, range);
    }
    let mut strays = world.query_filtered::<Entity, With<PendingBlock>>();
    let strays: Vec<Entity> = strays.iter(world).collect();
    ecsync_components::strict_assert!(strays.is_empty(), "pending blocks outside any range");
    despawn_blocks(world, &strays);
    let mut peers = world.query::<(&PeerLoad, &mut PeerClaim)>();
    for (load, mut claim) in peers.iter_mut(world) {
        ecsync_components::strict_assert!(load.in_flight == 0, "a peer's load outlived its ranges");
        claim.discredited_from = None;
    }
    let buffer = *world.resource::<Buffer>();
    ecsync_components::strict_assert!(
        (buffer.bytes, buffer.blocks, buffer.reserved) == (0, 0, 0),
        "the buffer holds {buffer:?} with no range left"
    );
    world.resource_mut::<Buffer>().clear();
    let head = world.resource::<ChainHead>().0;
    world.resource_mut::<PlanCursor>().next = head.height + 1;
}

/// Trims a range to the heights above `head` (blocks at or below it were imported another way, e.g. produced
/// locally): drops its pending blocks at or below `head`, abandons it when nothing is left. Downloads in flight
/// are left alone; their blocks are trimmed once they arrive.
pub fn trim_range_below(world: &mut World, range: Entity, head: u64) {
    let Some(r) = world.get::<Range>(range).copied() else {
        return;
    };
    if r.start > head || world.get::<Downloading>(range).is_some() {
        return;
    }
    let keep_from = head + 1;
    if r.end() <= keep_from {
        abandon_range(world, range);
        return;
    }
    let drop = (keep_from - r.start) as usize;
    if let Some(mut awaiting) = world.get_mut::<AwaitingImport>(range) {
        let n = drop.min(awaiting.blocks.len());
        let dropped: Vec<Entity> = awaiting.blocks.drain(..n).collect();
        despawn_blocks(world, &dropped);
    }
    if let Some(mut r) = world.get_mut::<Range>(range) {
        r.start = keep_from;
        r.count -= drop as u32;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Queuing them from systems

/// Runs a checked transition; a wrong state panics under strict bookkeeping and is counted otherwise.
fn checked<T>(world: &mut World, result: impl FnOnce(&mut World) -> Result<T, TransitionError>) {
    if let Err(e) = result(world) {
        ecsync_components::strict_assert!(false, "{e}");
        world.resource_mut::<EngineCounters>().transition_errors += 1;
    }
}

/// The transitions as commands, queued by systems and applied at the next sync point, in order.
pub trait Transitions {
    /// Queues [`start_download`].
    fn start_download(&mut self, range: Entity, peer: Entity, timeout_ms: u64, reserve: u64);
    /// Queues [`deliver`].
    fn deliver(&mut self, range: Entity, delivered: Delivered);
    /// Queues [`accept_answer`] under the configured buffer cap.
    fn accept_answer(&mut self, range: Entity, blocks: Vec<CheckedBlock>);
    /// Queues [`import_prefix`].
    fn import_prefix(&mut self, range: Entity, n: usize);
    /// Queues [`advance_block`].
    fn advance_block<From: Component, To: Component + Default>(&mut self, block: Entity);
    /// Queues [`fail_range`].
    fn fail_range(&mut self, range: Entity, blame: Option<PeerId>);
    /// Queues [`abandon_range`].
    fn abandon_range(&mut self, range: Entity);
    /// Queues [`remove_peer`].
    fn remove_peer(&mut self, peer: Entity);
}

impl Transitions for Commands<'_, '_> {
    fn start_download(&mut self, range: Entity, peer: Entity, timeout_ms: u64, reserve: u64) {
        self.queue(move |w: &mut World| {
            checked(w, |w| start_download(w, range, peer, timeout_ms, reserve))
        });
    }
    fn deliver(&mut self, range: Entity, delivered: Delivered) {
        self.queue(move |w: &mut World| checked(w, |w| deliver(w, range, delivered)));
    }
    fn accept_answer(&mut self, range: Entity, blocks: Vec<CheckedBlock>) {
        self.queue(move |w: &mut World| {
            let cap = w.resource::<SyncConfig>().max_buffered_bytes;
            checked(w, |w| accept_answer(w, range, blocks, cap))
        });
    }
    fn import_prefix(&mut self, range: Entity, n: usize) {
        self.queue(move |w: &mut World| checked(w, |w| import_prefix(w, range, n)));
    }
    fn advance_block<From: Component, To: Component + Default>(&mut self, block: Entity) {
        self.queue(move |w: &mut World| checked(w, |w| advance_block::<From, To>(w, block)));
    }
    fn fail_range(&mut self, range: Entity, blame: Option<PeerId>) {
        self.queue(move |w: &mut World| fail_range(w, range, blame));
    }
    fn abandon_range(&mut self, range: Entity) {
        self.queue(move |w: &mut World| abandon_range(w, range));
    }
    fn remove_peer(&mut self, peer: Entity) {
        self.queue(move |w: &mut World| remove_peer(w, peer));
    }
}
