//! The engine's blocks_by_range requests to peers: sending them and turning each outcome into exactly one
//! `Blocks` or `RequestFailed` event. Kept apart from serving, which is the other direction of the same protocol.

use std::collections::HashMap;

use bytes::Bytes;
use ecsync_components::{AnswerError, FailureReason, GotExpected, NetEvent, PeerId, RequestId};
use libp2p::PeerId as Libp2pPeer;
use libp2p::request_response::{OutboundFailure, OutboundRequestId};

use super::behaviour::EcsyncSwarm;
use super::codec::BlocksByRangeRequest;

/// An outbound blocks_by_range request in flight.
struct BlocksPending {
    /// The engine peer asked.
    peer: PeerId,
    /// The engine's id of the request.
    request: RequestId,
    /// Blocks asked for: an answer with more breaks the protocol.
    count: u32,
}

/// The engine's blocks_by_range requests in flight.
#[derive(Default)]
pub(super) struct Fetches {
    /// By libp2p request id.
    pending: HashMap<OutboundRequestId, BlocksPending>,
}

impl Fetches {
    /// Sends the engine's `request` for `count` blocks from `start` to engine peer `peer`, reachable as `target`.
    pub(super) fn send(
        &mut self,
        swarm: &mut EcsyncSwarm,
        target: Libp2pPeer,
        peer: PeerId,
        request: RequestId,
        range: BlocksByRangeRequest,
    ) {
        let id = swarm.behaviour_mut().blocks.send_request(&target, range);
        let count = range.count;
        self.pending.insert(
            id,
            BlocksPending {
                peer,
                request,
                count,
            },
        );
    }

    /// A peer answered request `request_id`: `Blocks`, or `RequestFailed` if it sent more blocks than asked. The
    /// codec's `Bytes` go back to the vectors they were read into (no copy).
    pub(super) fn on_response(
        &mut self,
        request_id: OutboundRequestId,
        blocks: Vec<Bytes>,
    ) -> Option<NetEvent> {
        let pending = self.pending.remove(&request_id)?;
        let event = if blocks.len() > pending.count as usize {
            NetEvent::RequestFailed {
                peer: pending.peer,
                request: pending.request,
                reason: FailureReason::Protocol(AnswerError::TooManyBlocks(GotExpected {
                    got: u32::try_from(blocks.len()).unwrap_or(u32::MAX),
                    expected: pending.count,
                })),
            }
        } else {
            NetEvent::Blocks {
                peer: pending.peer,
                request: pending.request,
                blocks: blocks.into_iter().map(Vec::from).collect(),
            }
        };
        Some(event)
    }

    /// Request `request_id` to `peer` failed in transport: `RequestFailed` with the matching reason.
    pub(super) fn on_failure(
        &mut self,
        peer: Libp2pPeer,
        request_id: OutboundRequestId,
        error: &OutboundFailure,
    ) -> Option<NetEvent> {
        let pending = self.pending.remove(&request_id)?;
        tracing::debug!(%peer, request = pending.request.0, "blocks_by_range failed: {error}");
        Some(NetEvent::RequestFailed {
            peer: pending.peer,
            request: pending.request,
            reason: failure_reason(error),
        })
    }
}

/// Maps a transport failure of an outbound request to the engine's reason.
pub(super) fn failure_reason(error: &OutboundFailure) -> FailureReason {
    match error {
        OutboundFailure::Timeout => FailureReason::Timeout,
        OutboundFailure::DialFailure | OutboundFailure::ConnectionClosed => {
            FailureReason::Disconnected
        }
        OutboundFailure::UnsupportedProtocols => FailureReason::Protocol(AnswerError::Unsupported),
        OutboundFailure::Io(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            FailureReason::Protocol(AnswerError::Malformed(e.to_string()))
        }
        OutboundFailure::Io(_) => FailureReason::Dropped,
    }
}
