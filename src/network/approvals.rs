//! The approve protocol's bookkeeping on the swarm task: peers' questions waiting for the engine's answer (their
//! response channels, bounded: [`MAX_PENDING_ASKS`] in all, [`MAX_PENDING_ASKS_PER_PEER`] per peer; beyond, a
//! question is dropped and its peer sees the stream close), and our own questions in flight.

use std::collections::HashMap;

use ecsync_components::{ApproveAnswer, NetEvent, PeerId, RequestId};
use libp2p::PeerId as Libp2pPeer;
use libp2p::request_response::{OutboundFailure, OutboundRequestId, ResponseChannel};

use super::fetch::failure_reason;
use super::{MAX_PENDING_ASKS, MAX_PENDING_ASKS_PER_PEER};

/// Questions both ways.
#[derive(Default)]
pub(super) struct Approvals {
    /// Peers' questions: ask id → (asker, channel).
    asked: HashMap<u64, (Libp2pPeer, ResponseChannel<ApproveAnswer>)>,
    /// The next ask id.
    next_ask: u64,
    /// Ours: libp2p request → (engine peer, engine request).
    ours: HashMap<OutboundRequestId, (PeerId, RequestId)>,
}

impl Approvals {
    /// Keeps `peer`'s question's channel and returns its ask id, or `None` (the channel dropped) when too many
    /// questions wait.
    pub(super) fn admit(
        &mut self,
        peer: Libp2pPeer,
        channel: ResponseChannel<ApproveAnswer>,
    ) -> Option<u64> {
        let theirs = self.asked.values().filter(|(p, _)| *p == peer).count();
        if self.asked.len() >= MAX_PENDING_ASKS || theirs >= MAX_PENDING_ASKS_PER_PEER {
            return None;
        }
        let ask = self.next_ask;
        self.next_ask += 1;
        self.asked.insert(ask, (peer, channel));
        Some(ask)
    }

    /// Forgets a question the engine will not hear of.
    pub(super) fn forget(&mut self, ask: u64) {
        self.asked.remove(&ask);
    }

    /// The channel to answer question `ask` on (once).
    pub(super) fn take(&mut self, ask: u64) -> Option<ResponseChannel<ApproveAnswer>> {
        self.asked.remove(&ask).map(|(_, channel)| channel)
    }

    /// Questions waiting for the engine.
    pub(super) fn waiting(&self) -> usize {
        self.asked.len()
    }

    /// Remembers our question `id` to engine peer `peer` as the engine's `request`.
    pub(super) fn sent(&mut self, id: OutboundRequestId, peer: PeerId, request: RequestId) {
        self.ours.insert(id, (peer, request));
    }

    /// The engine's event for a member's answer to our question `id`.
    pub(super) fn on_answer(
        &mut self,
        id: OutboundRequestId,
        answer: ApproveAnswer,
    ) -> Option<NetEvent> {
        let (peer, request) = self.ours.remove(&id)?;
        Some(NetEvent::ApprovalAnswered {
            peer,
            request,
            answer: Box::new(answer),
        })
    }

    /// The engine's event for our question `id` failing.
    pub(super) fn on_failure(
        &mut self,
        id: OutboundRequestId,
        error: &OutboundFailure,
    ) -> Option<NetEvent> {
        let (peer, request) = self.ours.remove(&id)?;
        Some(NetEvent::RequestFailed {
            peer,
            request,
            reason: failure_reason(error),
        })
    }
}
