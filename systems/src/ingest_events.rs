//! `ingest_events`: the network's events enter the world: peers are spawned on connect (unless banned or on
//! another chain) and removed on disconnect, statuses update claims, answers are delivered to the range that
//! asked (`deliver`), failed requests fail their range. A status whose head slot lies beyond the wall-clock slot
//! (plus [`CLAIM_SLOT_TOLERANCE`]) is a claim no honest node can make: its peer is banned and disconnected.

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;
use ecsync_components::ecs::{Delivered, Downloading, Peer, PeerBudget, PeerClaim};
use ecsync_components::resources::{Inbox, Spec};
use ecsync_components::{
    FailureReason, NetEvent, OutcomeKind, PeerId, PeerOutcome, Request, RequestId, StatusMessage,
};

use crate::params::{Env, PeerBook};
use crate::transitions::Transitions;

/// A head may be this many slots ahead of our clock's slot (as a block may: clocks differ a little).
pub const CLAIM_SLOT_TOLERANCE: u64 = 1;

/// Why a status's head is impossible at `now_ms`, if it is: its slot has not begun yet.
fn impossible(spec: &Spec, status: &StatusMessage, now_ms: u64) -> Option<String> {
    let current = spec.0.slot_at(now_ms);
    (status.head.slot > current.saturating_add(CLAIM_SLOT_TOLERANCE)).then(|| {
        format!(
            "claims a head at slot {} (height {}), beyond the current slot {current}",
            status.head.slot, status.head.height
        )
    })
}

/// Why a status is refused, if it is.
fn foreign(spec: &Spec, status: &StatusMessage) -> Option<String> {
    (status.chain_id != spec.0.chain_id || status.genesis_hash != spec.0.genesis_hash).then(|| {
        format!(
            "peer is on chain {} (genesis {}), this node on chain {} (genesis {})",
            status.chain_id, status.genesis_hash, spec.0.chain_id, spec.0.genesis_hash
        )
    })
}

/// What taking an event touches.
#[derive(SystemParam)]
pub struct Ingest<'w, 's> {
    commands: Commands<'w, 's>,
    env: Env<'w>,
    book: PeerBook<'w>,
    claims: Query<'w, 's, &'static mut PeerClaim>,
    downloads: Query<'w, 's, (Entity, &'static Downloading), Without<Delivered>>,
    outcomes: MessageWriter<'w, PeerOutcome>,
    /// Ranges answered or failed by an earlier event of this drain: they take no later one.
    settled: Local<'s, Vec<Entity>>,
}

impl Ingest<'_, '_> {
    /// A peer connected: refused if banned or foreign, its claim updated if known, spawned otherwise.
    fn connected(&mut self, peer: PeerId, label: String, status: StatusMessage) {
        let now = self.env.now();
        if self
            .book
            .bans
            .0
            .get(&peer)
            .is_some_and(|until| *until > now)
        {
            let reason = "banned".into();
            self.book
                .outbox
                .0
                .push(Request::Disconnect { peer, reason });
            return;
        }
        if let Some(reason) = foreign(&self.env.spec, &status) {
            self.book
                .outbox
                .0
                .push(Request::Disconnect { peer, reason });
            return;
        }
        if let Some(reason) = impossible(&self.env.spec, &status, now) {
            self.ban(peer, reason);
            if let Some(entity) = self.book.index.0.remove(&peer) {
                self.commands.remove_peer(entity);
            }
            return;
        }
        if let Some(&entity) = self.book.index.0.get(&peer) {
            self.claim(entity, status);
            return;
        }
        let claim = PeerClaim {
            head: status.head,
            updated_ms: now,
            discredited_from: None,
            discredited_until_ms: 0,
            status_requested_ms: now,
        };
        let budget = PeerBudget {
            batch: self.env.config.initial_batch,
            max_in_flight: 1,
            timeout_ms: self.env.config.initial_timeout_ms,
        };
        let id = peer;
        let peer = Peer {
            id,
            label,
            connected_at_ms: now,
        };
        let entity = self.commands.spawn((peer, claim, budget)).id();
        self.book.index.0.insert(id, entity);
    }

    /// A known peer's new status: its claim, or its removal if it moved to another chain.
    fn status(&mut self, peer: PeerId, status: StatusMessage) {
        let Some(&entity) = self.book.index.0.get(&peer) else {
            return;
        };
        let ban = impossible(&self.env.spec, &status, self.env.now());
        if let Some(reason) = foreign(&self.env.spec, &status).or(ban.clone()) {
            if ban.is_some() {
                self.ban(peer, reason);
            } else {
                self.book
                    .outbox
                    .0
                    .push(Request::Disconnect { peer, reason });
            }
            // Out of the index now, so that no later event of this drain reaches it.
            self.book.index.0.remove(&peer);
            self.commands.remove_peer(entity);
            return;
        }
        self.claim(entity, status);
    }

    /// Bans `peer` for `ban_ms` and asks the network to drop it.
    fn ban(&mut self, peer: PeerId, reason: String) {
        let until = self.env.now() + self.env.config.ban_ms;
        self.book.bans.0.insert(peer, until);
        self.book
            .outbox
            .0
            .push(Request::Disconnect { peer, reason });
    }

    fn claim(&mut self, entity: Entity, status: StatusMessage) {
        if let Ok(mut claim) = self.claims.get_mut(entity) {
            claim.head = status.head;
            claim.updated_ms = self.env.now();
        }
    }

    /// The range `peer` is downloading under `request` (not yet settled this drain), with its send time.
    fn download(&mut self, peer: PeerId, request: RequestId) -> Option<(Entity, Entity, u64)> {
        let &entity = self.book.index.0.get(&peer)?;
        let (range, sent_at) = self
            .downloads
            .iter()
            .find(|(e, d)| d.request == request && d.peer == entity && !self.settled.contains(e))
            .map(|(e, d)| (e, d.sent_at_ms))?;
        self.settled.push(range);
        Some((entity, range, sent_at))
    }

    /// An answer: delivered to the range that asked.
    fn answered(&mut self, peer: PeerId, request: RequestId, blocks: Vec<Vec<u8>>) {
        if let Some((_, range, _)) = self.download(peer, request) {
            let at_ms = self.env.now();
            self.commands.deliver(range, Delivered { blocks, at_ms });
        }
    }

    /// A failed request: its range fails, blaming the peer, which gets the matching outcome.
    fn failed(&mut self, peer: PeerId, request: RequestId, reason: FailureReason) {
        let Some((entity, range, sent_at)) = self.download(peer, request) else {
            return;
        };
        let kind = match reason {
            FailureReason::Timeout => OutcomeKind::Timeout,
            FailureReason::Disconnected => OutcomeKind::Failed,
            FailureReason::Protocol(error) => OutcomeKind::Invalid(error.into()),
        };
        self.outcomes.write(PeerOutcome {
            peer: entity,
            kind,
            latency_ms: Some(self.env.now().saturating_sub(sent_at)),
        });
        self.commands.fail_range(range, Some(peer));
    }

    /// A peer left: its downloads fail without blame, its entity goes.
    fn gone(&mut self, peer: PeerId) {
        if let Some(entity) = self.book.index.0.remove(&peer) {
            self.commands.remove_peer(entity);
        }
    }
}

/// Drains the inbox into the world. See the module docs.
pub fn ingest_events(mut inbox: ResMut<Inbox>, mut ingest: Ingest) {
    ingest.settled.clear();
    for event in inbox.0.drain(..) {
        match event {
            NetEvent::PeerConnected {
                peer,
                label,
                status,
            } => ingest.connected(peer, label, status),
            NetEvent::Status { peer, status } => ingest.status(peer, status),
            NetEvent::Blocks {
                peer,
                request,
                blocks,
            } => ingest.answered(peer, request, blocks),
            NetEvent::RequestFailed {
                peer,
                request,
                reason,
            } => ingest.failed(peer, request, reason),
            NetEvent::PeerGone { peer } => ingest.gone(peer),
        }
    }
}
