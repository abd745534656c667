//! Federation members on the swarm task (`/ecsync/req/member/1/postcard`): each side of a new peer session asks
//! the other to prove that it holds authority keys of the spec, over a fresh nonce; this module answers those
//! challenges (if this node is a member), sends ours, verifies the proofs, and keeps which connected peers are
//! authenticated members, with their authorities. Members have reserved connection slots and are the only peers
//! whose proposals and votes reach the engine (`consensus.rs`).
//!
//! Costs, bounded: answering a challenge is a BLS signing (~0.6 ms a key). A peer's session gets one answer; a
//! configured peer or an authenticated member is answered at once, any other peer within a token bucket
//! ([`PROOFS_BURST`], [`PROOFS_PER_SEC`]) beyond which its challenge is dropped (the challenger asks again
//! later, see below). Verifying a proof is one pairing (~1.2 ms), done once per session within another bucket
//! ([`VERIFY_BURST`], [`VERIFY_PER_SEC`]); a proof that does not verify gets its peer disconnected and denied. A
//! peer that says it is no member costs nothing. Our challenge that failed (dropped, timed out) or whose proof
//! could not be verified yet is asked again with the peer's next status, at most [`MAX_CHALLENGES`] times a
//! session.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use ecsync_components::{Approval, Hash32};
use ecsync_systems::consensus::{Authorities, MemberKeys, membership_message, verify_membership};
use libp2p::PeerId as Libp2pPeer;
use libp2p::request_response::{OutboundRequestId, ResponseChannel};
use rand::RngCore;
use tokio::time::Instant;

use super::Shared;
use super::behaviour::EcsyncSwarm;
use super::codec::{MemberChallenge, MemberProof};
use super::limits::TokenBucket;

/// Proofs given to peers not known as members or configured, in one burst.
pub const PROOFS_BURST: u32 = 64;
/// ... and per second after it.
pub const PROOFS_PER_SEC: u32 = 16;
/// Proof verifications in one burst.
pub const VERIFY_BURST: u32 = 64;
/// ... and per second after it.
pub const VERIFY_PER_SEC: u32 = 32;
/// Challenges we send one peer in one session at most.
pub const MAX_CHALLENGES: u32 = 5;

/// What a peer's proof showed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Verdict {
    /// It holds the keys of these authorities (a bitfield, never zero).
    Member(u64),
    /// It says it is no member.
    NotMember,
    /// Its proof does not verify (or names no authority of ours): it lies.
    Invalid(String),
    /// Not verified yet (over the verification budget): asked again later.
    Deferred,
}

/// One connected peer's session.
#[derive(Default)]
struct Session {
    /// Its authorities once proven (0: none yet, or not a member).
    authorities: u64,
    /// Challenges sent this session.
    challenges: u32,
    /// Whether one of ours is in flight.
    in_flight: bool,
    /// Whether we know the answer (member or not): nothing more to ask.
    settled: bool,
    /// Whether we answered its challenge (once a session).
    answered: bool,
}

/// The membership book. See the module docs.
pub(super) struct Members {
    /// Our chain id and genesis, bound into every proof.
    chain_id: u64,
    /// See `chain_id`.
    genesis: Hash32,
    /// Our peer id's bytes, bound into our proofs.
    local: Vec<u8>,
    /// Our keys, if this node is a member.
    keys: Option<Arc<MemberKeys>>,
    /// The federation's public keys.
    authorities: Arc<Authorities>,
    /// Our challenges in flight: request → (peer, nonce).
    challenges: HashMap<OutboundRequestId, (Libp2pPeer, [u8; 32])>,
    /// Connected peers' sessions.
    sessions: HashMap<Libp2pPeer, Session>,
    /// Proofs for peers not known as members or configured.
    proving: TokenBucket,
    /// Verifications.
    verifying: TokenBucket,
    /// Where the number of member peers is published.
    shared: Arc<Shared>,
}

impl Members {
    /// A book for `chain_id`/`genesis`, this node being `local` (with `keys` if a member), checking proofs
    /// against `authorities`.
    pub(super) fn new(
        chain_id: u64,
        genesis: Hash32,
        local: Libp2pPeer,
        keys: Option<Arc<MemberKeys>>,
        authorities: Arc<Authorities>,
        shared: Arc<Shared>,
    ) -> Self {
        let now = Instant::now();
        Self {
            chain_id,
            genesis,
            local: local.to_bytes(),
            keys,
            authorities,
            challenges: HashMap::new(),
            sessions: HashMap::new(),
            proving: TokenBucket::new(PROOFS_BURST, PROOFS_PER_SEC, now),
            verifying: TokenBucket::new(VERIFY_BURST, VERIFY_PER_SEC, now),
            shared,
        }
    }

    /// `peer`'s session begins (its first connection): we challenge it.
    pub(super) fn connected(&mut self, swarm: &mut EcsyncSwarm, peer: Libp2pPeer) {
        self.sessions.insert(peer, Session::default());
        self.challenge(swarm, peer);
    }

    /// `peer`'s session ends (its last connection closed).
    pub(super) fn disconnected(&mut self, peer: &Libp2pPeer) {
        if self
            .sessions
            .remove(peer)
            .is_some_and(|s| s.authorities != 0)
        {
            self.publish();
        }
        self.challenges.retain(|_, (p, _)| p != peer);
    }

    /// The authorities `peer` proved this session (0: none).
    pub(super) fn authorities(&self, peer: &Libp2pPeer) -> u64 {
        self.sessions.get(peer).map_or(0, |s| s.authorities)
    }

    /// Whether `peer` proved it is a member this session.
    pub(super) fn is_member(&self, peer: &Libp2pPeer) -> bool {
        self.authorities(peer) != 0
    }

    /// Sends `peer` a challenge with a fresh nonce.
    fn challenge(&mut self, swarm: &mut EcsyncSwarm, peer: Libp2pPeer) {
        let Some(session) = self.sessions.get_mut(&peer) else {
            return;
        };
        session.challenges += 1;
        session.in_flight = true;
        let mut nonce = [0u8; 32];
        rand::rng().fill_bytes(&mut nonce);
        let id = swarm
            .behaviour_mut()
            .member
            .send_request(&peer, MemberChallenge { nonce });
        self.challenges.insert(id, (peer, nonce));
    }

    /// Challenges `peer` again if our last challenge failed or was not verified, within [`MAX_CHALLENGES`].
    pub(super) fn retry(&mut self, swarm: &mut EcsyncSwarm, peer: Libp2pPeer) {
        let again = self
            .sessions
            .get(&peer)
            .is_some_and(|s| !s.settled && !s.in_flight && s.challenges < MAX_CHALLENGES);
        if again {
            self.challenge(swarm, peer);
        }
    }

    /// `peer` challenges us: a member answers with its proof (once a session; a `trusted` peer — configured, or
    /// a proven member — at once, another within the proving budget, else the challenge is dropped); a node
    /// that is no member says so.
    pub(super) fn on_challenge(
        &mut self,
        swarm: &mut EcsyncSwarm,
        peer: Libp2pPeer,
        challenge: MemberChallenge,
        channel: ResponseChannel<MemberProof>,
        trusted: bool,
    ) {
        let proof = match self.prove(peer, &challenge, trusted) {
            Ok(proof) => proof,
            Err(why) => {
                tracing::debug!(%peer, "dropping a membership challenge: {why}");
                return;
            }
        };
        if swarm
            .behaviour_mut()
            .member
            .send_response(channel, MemberProof { proof })
            .is_err()
        {
            tracing::debug!(%peer, "membership challenge closed before the answer");
        }
    }

    /// Our answer to `peer`'s challenge, or why none.
    fn prove(
        &mut self,
        peer: Libp2pPeer,
        challenge: &MemberChallenge,
        trusted: bool,
    ) -> Result<Option<Approval>, &'static str> {
        let Some(keys) = self.keys.clone() else {
            return Ok(None);
        };
        let session = self.sessions.get_mut(&peer).ok_or("not connected")?;
        if session.answered {
            return Err("answered once this session");
        }
        if !trusted
            && self
                .proving
                .take(1, Instant::now(), Duration::ZERO)
                .is_none()
        {
            return Err("over the proving budget");
        }
        session.answered = true;
        let message =
            membership_message(self.chain_id, &self.genesis, &self.local, &challenge.nonce);
        Ok(Some(keys.prove_membership(&message)))
    }

    /// `peer`'s answer to our challenge `id`: its verdict (None: not ours, or its session ended).
    pub(super) fn on_proof(
        &mut self,
        id: OutboundRequestId,
        answer: MemberProof,
    ) -> Option<(Libp2pPeer, Verdict)> {
        let (peer, nonce) = self.challenges.remove(&id)?;
        let verdict = self.verdict(peer, &nonce, answer.proof);
        let session = self.sessions.get_mut(&peer)?;
        session.in_flight = false;
        match verdict {
            Verdict::Member(authorities) => {
                session.authorities = authorities;
                session.settled = true;
                self.publish();
            }
            Verdict::NotMember | Verdict::Invalid(_) => session.settled = true,
            Verdict::Deferred => {}
        }
        Some((peer, verdict))
    }

    /// Checks `peer`'s proof over our `nonce`.
    fn verdict(&mut self, peer: Libp2pPeer, nonce: &[u8; 32], proof: Option<Approval>) -> Verdict {
        let Some(proof) = proof else {
            return Verdict::NotMember;
        };
        let n = self.authorities.len();
        if proof.approvers == 0 || (n < 64 && proof.approvers >> n != 0) {
            return Verdict::Invalid(format!(
                "membership proof names authorities {:#x} of {n}",
                proof.approvers
            ));
        }
        if self
            .verifying
            .take(1, Instant::now(), Duration::ZERO)
            .is_none()
        {
            return Verdict::Deferred;
        }
        let message = membership_message(self.chain_id, &self.genesis, &peer.to_bytes(), nonce);
        match verify_membership(&self.authorities, &proof, &message) {
            Ok(()) => Verdict::Member(proof.approvers),
            Err(e) => Verdict::Invalid(format!("membership proof does not verify: {e}")),
        }
    }

    /// Our challenge `id` failed (dropped, timed out, the connection closed): asked again with the peer's next
    /// status.
    pub(super) fn on_failure(&mut self, id: OutboundRequestId) {
        if let Some((peer, _)) = self.challenges.remove(&id)
            && let Some(session) = self.sessions.get_mut(&peer)
        {
            session.in_flight = false;
        }
    }

    /// Publishes how many connected peers are proven members.
    fn publish(&self) {
        let members = self
            .sessions
            .values()
            .filter(|s| s.authorities != 0)
            .count();
        self.shared
            .federation_peers
            .store(members, Ordering::Relaxed);
    }
}
