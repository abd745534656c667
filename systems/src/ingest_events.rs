//! `ingest_events`: the network's events enter the world: peers are spawned on connect (unless banned or on
//! another chain) and removed on disconnect, statuses update claims, answers are delivered to the range that
//! asked (`deliver`), failed requests fail their range.
//!
//! A status's head is a claim: a hint of whom to ask for blocks. Its proof (the head's header and approval),
//! when the head is above the proven head, waits on the peer (`PeerProof`, its newest only) for `prove_heads`;
//! a proof that names another head than the status is an invalid message (a fatal offence). A status whose head
//! slot begins later than `max_clock_skew_ms` ahead of our clock is not believed (a new peer starts with a
//! claim of genesis) but not punished either: an honest peer says so when our clock is behind (counted in
//! `claims_refused`; only a block the federation signed counts as evidence of our clock, in `gossip_blocks`). A peer's claim starts discredited if its record says so (a reconnect does not lift a
//! discredit).

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;
use ecsync_components::ecs::{
    Delivered, Downloading, Member, Peer, PeerBudget, PeerClaim, PeerProof,
};
use ecsync_components::resources::{
    ConsensusInbox, EngineCounters, GossipBlocks, Inbox, MAX_GOSSIP_BLOCKS, ProvenHead, Spec,
};
use ecsync_components::{
    FailureReason, GossipVerdict, NetEvent, Offence, OutcomeKind, PeerId, PeerOutcome, Request,
    RequestId, StatusMessage,
};

use crate::params::{Env, PeerBook};
use crate::transitions::Transitions;

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
    claims: Query<'w, 's, (&'static mut PeerClaim, &'static mut PeerProof)>,
    proven: Res<'w, ProvenHead>,
    downloads: Query<'w, 's, (Entity, &'static Downloading), Without<Delivered>>,
    outcomes: MessageWriter<'w, PeerOutcome>,
    counters: ResMut<'w, EngineCounters>,
    /// Ranges answered or failed by an earlier event of this drain: they take no later one.
    settled: Local<'s, Vec<Entity>>,
}

impl Ingest<'_, '_> {
    /// A peer connected: refused if banned or foreign, its claim updated if known, spawned otherwise.
    /// `peer` proved it holds `authorities`' keys: it is marked a [`Member`] (if it is still a peer).
    fn member(&mut self, peer: PeerId, authorities: u64) {
        if let Some(&entity) = self.book.index.0.get(&peer) {
            self.commands.entity(entity).insert(Member { authorities });
        }
    }

    fn connected(&mut self, peer: PeerId, label: String, status: StatusMessage) {
        let now = self.env.now();
        let record = self.book.records.0.get(&peer).copied().unwrap_or_default();
        if record.is_banned(now) {
            let reason = format!(
                "banned for {} s more",
                (record.banned_until_ms - now) / 1000
            );
            self.book.outbox.0.push(Request::Disconnect {
                peer,
                reason,
                ban: true,
            });
            return;
        }
        if let Some(reason) = foreign(&self.env.spec, &status) {
            self.book.outbox.0.push(Request::Disconnect {
                peer,
                reason,
                ban: true,
            });
            return;
        }
        if let Some(&entity) = self.book.index.0.get(&peer) {
            self.status_of(entity, peer, status);
            return;
        }
        let believed = self.believable(&status);
        let mut claim = PeerClaim {
            head: self.env.spec.0.genesis_ref(),
            updated_ms: now,
            discredited_from: record.discredited_from,
            discredited_until_ms: record.discredited_until_ms,
            status_requested_ms: now,
            unbacked_from: record.discredited_from.filter(|_| record.discredits > 0),
            proven: 0,
            announced: 0,
            lowest: status.lowest,
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
        let entity = self.commands.spawn((peer, budget)).id();
        self.book.index.0.insert(id, entity);
        let mut proof = PeerProof::default();
        if believed {
            claim.head = status.head;
            self.take_proof(entity, id, status, &mut claim.proven, &mut proof);
        } else {
            self.refuse_claim();
        }
        self.commands.entity(entity).insert((claim, proof));
    }

    /// Takes `status`'s proof: kept in `pending` if its head is above the proven head (replacing an older one),
    /// free at or below it; a proof that names another head than the status is an invalid message (its peer
    /// punished, fatal). `proven` is raised when the status names the proven head itself.
    fn take_proof(
        &mut self,
        entity: Entity,
        peer: PeerId,
        status: StatusMessage,
        proven: &mut u64,
        pending: &mut PeerProof,
    ) {
        let ours = self.proven.head;
        if status.head == ours {
            *proven = (*proven).max(ours.height);
        }
        let Some(proof) = status.proof else {
            return;
        };
        let named = proof.head();
        if named != status.head {
            let rule = format!(
                "status head proof names height {} ({}), the status height {} ({})",
                named.height, named.hash, status.head.height, status.head.hash
            );
            self.outcomes.write(PeerOutcome {
                peer: entity,
                peer_id: peer,
                kind: OutcomeKind::Invalid(Offence::Block {
                    height: status.head.height,
                    rule,
                }),
                latency_ms: None,
            });
        } else if status.head.height <= ours.height {
            self.counters.proofs_free += 1;
        } else {
            self.counters.proofs_replaced += u64::from(pending.pending.is_some());
            pending.pending = Some(proof);
        }
    }

    /// Whether `status`'s head could exist by our clock.
    fn believable(&self, status: &StatusMessage) -> bool {
        let skew = self.env.config.max_clock_skew_ms;
        !self
            .env
            .spec
            .0
            .begins_beyond(status.head.slot, self.env.now(), skew)
    }

    /// A claim from the future: not believed, and not punished (our clock may be the one behind).
    fn refuse_claim(&mut self) {
        self.counters.claims_refused += 1;
    }

    /// A known peer's new status: its claim, or its removal if it moved to another chain.
    fn status(&mut self, peer: PeerId, status: StatusMessage) {
        let Some(&entity) = self.book.index.0.get(&peer) else {
            return;
        };
        if let Some(reason) = foreign(&self.env.spec, &status) {
            self.book.outbox.0.push(Request::Disconnect {
                peer,
                reason,
                ban: true,
            });
            // Out of the index now, so that no later event of this drain reaches it.
            self.book.index.0.remove(&peer);
            self.commands.remove_peer(entity);
            return;
        }
        self.status_of(entity, peer, status);
    }

    /// A status of the peer at `entity`: its claim, unless it cannot be true (then refused).
    fn status_of(&mut self, entity: Entity, peer: PeerId, status: StatusMessage) {
        if !self.believable(&status) {
            self.refuse_claim();
            return;
        }
        let now = self.env.now();
        let Ok((claim, mut proof)) = self.claims.get_mut(entity) else {
            return;
        };
        let mut proven = claim.proven;
        let mut pending = std::mem::take(&mut *proof);
        let (head, lowest) = (status.head, status.lowest);
        self.take_proof(entity, peer, status, &mut proven, &mut pending);
        if let Ok((mut claim, mut proof)) = self.claims.get_mut(entity) {
            claim.head = head;
            claim.lowest = lowest;
            claim.updated_ms = now;
            claim.proven = proven;
            *proof = pending;
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

    /// A failed request: its range fails, blaming the peer, which gets the matching outcome. Not a range's:
    /// nothing to do.
    fn failed(&mut self, peer: PeerId, request: RequestId, reason: FailureReason) {
        let Some((entity, range, sent_at)) = self.download(peer, request) else {
            return;
        };
        let kind = match reason {
            FailureReason::Timeout => OutcomeKind::Timeout,
            FailureReason::Disconnected => OutcomeKind::Failed,
            FailureReason::Dropped => OutcomeKind::Dropped,
            FailureReason::Protocol(error) => OutcomeKind::Invalid(error.into()),
        };
        self.outcomes.write(PeerOutcome {
            peer: entity,
            peer_id: peer,
            kind,
            latency_ms: Some(self.env.now().saturating_sub(sent_at)),
        });
        self.commands.fail_range(range, Some(peer));
    }

    /// A peer left: its downloads fail without blame, its entity goes. Leaving with requests open counts as one
    /// `Failed` outcome (its answers to them will not come).
    fn gone(&mut self, peer: PeerId) {
        if let Some(entity) = self.book.index.0.remove(&peer) {
            let open = self
                .downloads
                .iter()
                .any(|(range, d)| d.peer == entity && !self.settled.contains(&range));
            if open {
                self.outcomes.write(PeerOutcome {
                    peer: entity,
                    peer_id: peer,
                    kind: OutcomeKind::Failed,
                    latency_ms: None,
                });
            }
            self.commands.remove_peer(entity);
        }
    }
}

/// Drains the inbox into the world. See the module docs. Gossiped blocks queue for their verdict (at most
/// [`MAX_GOSSIP_BLOCKS`]; beyond, ignored at once); members' proposals and votes queue, with their sender, for the
/// agreement driver (`ConsensusInbox`: at most 1,024, the oldest dropped).
pub fn ingest_events(
    mut inbox: ResMut<Inbox>,
    mut gossip: ResMut<GossipBlocks>,
    mut consensus: ResMut<ConsensusInbox>,
    mut ingest: Ingest,
) {
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
            NetEvent::PeerAuthenticated { peer, authorities } => ingest.member(peer, authorities),
            NetEvent::GossipBlock { peer, id, bytes } => {
                if gossip.0.len() < MAX_GOSSIP_BLOCKS {
                    gossip.0.push_back((peer, id, bytes));
                } else {
                    ingest.book.outbox.0.push(Request::GossipVerdict {
                        id,
                        verdict: GossipVerdict::Ignore,
                    });
                }
            }
            NetEvent::Consensus { peer, messages } => consensus.extend(peer, messages),
        }
    }
}
