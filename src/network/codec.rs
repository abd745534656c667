//! The wire format of the two request-response protocols.
//!
//! Every message (request or response) is ONE frame: a big-endian `u32` body length, then the body. The length is
//! checked against the message's cap before anything is allocated, and the body is read as it arrives (no buffer of
//! the claimed size is allocated up front), so a peer cannot make us allocate more than it actually sends, nor more
//! than the cap.
//!
//! Bodies are postcard:
//! - status: request and response are both a [`StatusMessage`] (the requester sends its own status, so each side
//!   learns the other's chain from whichever message arrives first), with the proof of its head (header and
//!   approval, ~300 bytes in all); cap [`MAX_REQUEST_BYTES`].
//! - blocks_by_range: the request is a [`BlocksByRangeRequest`] (cap [`MAX_REQUEST_BYTES`]); the response is the
//!   postcard encoding of a `Vec<Vec<u8>>` (varint count, then for each block a varint length and the bytes),
//!   written and read by hand here, as a stream: the count (≤ [`MAX_BLOCKS_PER_REQUEST`]) and each block's length
//!   (≤ the chain's `max_block_bytes`, ≤ the bytes the frame has left) are checked before anything is allocated
//!   for it, and each block is read straight into a buffer of its own size ([`read_blocks`]) and written from
//!   the served blocks a chunk at a time ([`write_blocks`]): no buffer of the whole frame on either side. The
//!   bytes are identical to `postcard::to_stdvec(&Vec<Vec<u8>>)` (tested). The response type is `Vec<Bytes>`:
//!   a server writes the encodings its block cache shares, uncopied; a requester's blocks are moved into
//!   `Bytes` and back (no copy either).
//!
//! - member: the request is a [`MemberChallenge`] (cap [`MAX_REQUEST_BYTES`]), the response a [`MemberProof`]
//!   (cap [`MAX_MEMBER_RESPONSE_BYTES`]).
//! - consensus: the request is a [`ConsensusRequest`] (at most [`MAX_CONSENSUS_BATCH`] proposals and votes; cap
//!   the chain's `max_block_bytes` plus [`CONSENSUS_REQUEST_OVERHEAD`]), the response a [`ConsensusAck`] (cap
//!   [`MAX_CONSENSUS_RESPONSE_BYTES`]).
//!
//! The response cap is per request: [`response_cap`] of the request's `max_bytes` (clamped to
//! [`MAX_RESPONSE_BYTES`]). A codec's `read_response` is not given the request, but libp2p's request_response
//! handler clones the behaviour's codec for every outbound stream and calls `write_request` and then
//! `read_response` on that same clone, in one future: so `BlocksCodec::write_request` records the request's
//! cap in the clone ([`BlocksCodec::response_cap`]) and `read_response` reads at most that (a codec that wrote no
//! request reads at most the protocol cap). An answer of more than one block whose blocks exceed the cap is
//! refused as [`io::ErrorKind::InvalidData`], which the fetch turns into a protocol failure.

use std::io;

use bytes::Bytes;
use ecsync_components::messages::{ConsensusAck, ConsensusMessage, MAX_CONSENSUS_BATCH};
use ecsync_components::{MAX_BLOCKS_PER_REQUEST, StatusMessage};
use libp2p::StreamProtocol;
use libp2p::futures::io::{BufReader, Cursor, Take};
use libp2p::futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, FutureExt};
use libp2p::request_response;
use serde::{Deserialize, Serialize};

use super::MAX_RESPONSE_BYTES;

/// `request_response::Codec` for a protocol of ONE postcard frame each way: `$codec` has `request_cap()` and
/// `response_cap()`; `$what` names the protocol in errors ("bad status request: …").
macro_rules! postcard_codec {
    ($codec:ty, $request:ty, $response:ty, $what:literal) => {
        impl request_response::Codec for $codec {
            type Protocol = StreamProtocol;
            type Request = $request;
            type Response = $response;

            async fn read_request<T>(
                &mut self,
                _: &StreamProtocol,
                io: &mut T,
            ) -> io::Result<$request>
            where
                T: AsyncRead + Unpin + Send,
            {
                let cap = self.request_cap();
                let body = read_frame(io, cap).await?;
                decode_postcard(&body, cap, concat!($what, " request"))
            }

            async fn read_response<T>(
                &mut self,
                _: &StreamProtocol,
                io: &mut T,
            ) -> io::Result<$response>
            where
                T: AsyncRead + Unpin + Send,
            {
                let cap = self.response_cap();
                let body = read_frame(io, cap).await?;
                decode_postcard(&body, cap, concat!($what, " response"))
            }

            async fn write_request<T>(
                &mut self,
                _: &StreamProtocol,
                io: &mut T,
                request: $request,
            ) -> io::Result<()>
            where
                T: AsyncWrite + Unpin + Send,
            {
                let cap = self.request_cap();
                write_frame(io, &ecsync_components::encode(&request), cap).await
            }

            async fn write_response<T>(
                &mut self,
                _: &StreamProtocol,
                io: &mut T,
                response: $response,
            ) -> io::Result<()>
            where
                T: AsyncWrite + Unpin + Send,
            {
                let cap = self.response_cap();
                write_frame(io, &ecsync_components::encode(&response), cap).await
            }
        }
    };
}

/// Cap on a request body (status and blocks_by_range), in bytes.
pub const MAX_REQUEST_BYTES: usize = 1024;

/// Cap on a status response body, in bytes.
pub const MAX_STATUS_RESPONSE_BYTES: usize = 1024;

/// Room a consensus request has beyond one block of the chain's `max_block_bytes`: the proposal, signatures and
/// votes around it.
pub const CONSENSUS_REQUEST_OVERHEAD: usize = 4 * 1024;

/// Cap on a consensus response body (an ack: a few bytes, a refusal's reason at most 128).
pub const MAX_CONSENSUS_RESPONSE_BYTES: usize = 256;

/// A consensus request (`/ecsync/req/consensus/2`): at most [`MAX_CONSENSUS_BATCH`] proposals and votes, encoded
/// as a postcard sequence. Decoding refuses a longer one at its length, before any element is decoded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ConsensusRequest {
    /// The messages.
    pub messages: Vec<ConsensusMessage>,
}

impl<'de> Deserialize<'de> for ConsensusRequest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_seq(BoundedMessages)
    }
}

/// Decodes at most [`MAX_CONSENSUS_BATCH`] messages.
struct BoundedMessages;

impl<'de> serde::de::Visitor<'de> for BoundedMessages {
    type Value = ConsensusRequest;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "at most {MAX_CONSENSUS_BATCH} consensus messages")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let claimed = seq.size_hint().unwrap_or(0);
        if claimed > MAX_CONSENSUS_BATCH {
            return Err(serde::de::Error::invalid_length(claimed, &self));
        }
        let mut messages = Vec::with_capacity(claimed);
        while let Some(message) = seq.next_element()? {
            if messages.len() == MAX_CONSENSUS_BATCH {
                return Err(serde::de::Error::invalid_length(messages.len() + 1, &self));
            }
            messages.push(message);
        }
        Ok(ConsensusRequest { messages })
    }
}

/// The consensus protocol's codec, with the chain's block size limit.
#[derive(Clone, Copy, Debug)]
pub struct ConsensusCodec {
    /// Largest block encoding of the chain (a request carries at most about one).
    pub max_block_bytes: u32,
}

impl ConsensusCodec {
    /// Cap on a request body: the chain's `max_block_bytes` plus [`CONSENSUS_REQUEST_OVERHEAD`].
    pub fn request_cap(&self) -> usize {
        self.max_block_bytes as usize + CONSENSUS_REQUEST_OVERHEAD
    }

    fn response_cap(&self) -> usize {
        MAX_CONSENSUS_RESPONSE_BYTES
    }
}

postcard_codec!(ConsensusCodec, ConsensusRequest, ConsensusAck, "consensus");

/// Cap on a membership proof response body (a proof is ~110 bytes).
pub const MAX_MEMBER_RESPONSE_BYTES: usize = 256;

/// A membership challenge (`/ecsync/req/member/1`): prove you hold authority keys, over this fresh nonce.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberChallenge {
    /// The asker's fresh random nonce.
    pub nonce: [u8; 32],
}

/// The answer to a [`MemberChallenge`]: `None` from a node that is not a member; otherwise its authorities (the
/// bitfield) and their aggregate signature over `consensus::membership_message(chain id, genesis, the prover's
/// peer id, nonce)` under the membership tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberProof {
    /// The proof, if the prover is a member.
    pub proof: Option<ecsync_components::Approval>,
}

/// The member protocol's codec.
#[derive(Clone, Copy, Debug, Default)]
pub struct MemberCodec;

impl MemberCodec {
    fn request_cap(&self) -> usize {
        MAX_REQUEST_BYTES
    }

    fn response_cap(&self) -> usize {
        MAX_MEMBER_RESPONSE_BYTES
    }
}

postcard_codec!(MemberCodec, MemberChallenge, MemberProof, "member");

/// Framing overhead allowed on top of the block bytes of a blocks_by_range response: the varint count and one
/// varint length per block (at most 5 bytes each for [`MAX_BLOCKS_PER_REQUEST`] blocks), rounded up.
pub const RESPONSE_OVERHEAD_BYTES: usize = 16 * 1024;

/// Initial buffer for a frame body; it grows as the bytes actually arrive.
const READ_CHUNK: usize = 64 * 1024;

/// A blocks_by_range request: `count` consecutive blocks from height `start`, at most `max_bytes` of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlocksByRangeRequest {
    /// First height.
    pub start: u64,
    /// Blocks wanted; a server answers at most [`MAX_BLOCKS_PER_REQUEST`].
    pub count: u32,
    /// Block bytes the answer may carry (a server uses at most [`MAX_RESPONSE_BYTES`]); the first block is sent
    /// even if it alone is larger.
    pub max_bytes: u32,
}

impl BlocksByRangeRequest {
    /// Blocks a server reads for it: `count`, at most [`MAX_BLOCKS_PER_REQUEST`].
    pub fn served_count(&self) -> u32 {
        self.count.min(MAX_BLOCKS_PER_REQUEST)
    }

    /// Block bytes the answer may carry: `max_bytes`, at most [`MAX_RESPONSE_BYTES`].
    pub fn block_bytes_cap(&self) -> usize {
        response_cap(self.max_bytes)
    }
}

/// Block bytes an answer to a request with `max_bytes` may carry: `min(max_bytes, MAX_RESPONSE_BYTES)`.
pub fn response_cap(max_bytes: u32) -> usize {
    (max_bytes as usize).min(MAX_RESPONSE_BYTES)
}

/// Cap on a blocks_by_range response body for a chain whose blocks are at most `max_block_bytes`, answering a
/// request whose block bytes are capped at `cap`: at most `cap` of blocks, or one block if that block alone is
/// larger, plus framing.
pub fn max_blocks_response_bytes(max_block_bytes: u32, cap: usize) -> usize {
    cap.max(max_block_bytes as usize) + RESPONSE_OVERHEAD_BYTES
}

/// An [`io::ErrorKind::InvalidData`] error: the peer broke the protocol.
fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// Reads one frame of at most `max` body bytes.
///
/// A length above `max` is refused with [`io::ErrorKind::InvalidData`] before the body is read; the body buffer
/// grows with the bytes received, never to the claimed length up front.
pub async fn read_frame<T>(io: &mut T, max: usize) -> io::Result<Vec<u8>>
where
    T: AsyncRead + Unpin + Send,
{
    let len = read_length(io, max).await?;
    let mut body = Vec::with_capacity(len.min(READ_CHUNK));
    (&mut *io).take(len as u64).read_to_end(&mut body).await?;
    if body.len() != len {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("message ended after {} of {len} bytes", body.len()),
        ));
    }
    Ok(body)
}

/// Reads a frame's length prefix; a length above `max` is refused with [`io::ErrorKind::InvalidData`].
async fn read_length<T>(io: &mut T, max: usize) -> io::Result<usize>
where
    T: AsyncRead + Unpin + Send,
{
    let mut prefix = [0u8; 4];
    io.read_exact(&mut prefix).await?;
    let len = u32::from_be_bytes(prefix) as usize;
    if len > max {
        return Err(invalid(format!(
            "message of {len} bytes exceeds the limit of {max} bytes"
        )));
    }
    Ok(len)
}

/// Writes one frame; refuses (with [`io::ErrorKind::InvalidInput`]) a body above `max`, which the peer would refuse.
pub async fn write_frame<T>(io: &mut T, body: &[u8], max: usize) -> io::Result<()>
where
    T: AsyncWrite + Unpin + Send,
{
    let len = frame_length(body.len(), max)?;
    io.write_all(&len.to_be_bytes()).await?;
    io.write_all(body).await?;
    io.flush().await
}

/// The length prefix of a frame of `len` body bytes; refused (with [`io::ErrorKind::InvalidInput`]) above `max`,
/// which the peer would refuse.
fn frame_length(len: usize, max: usize) -> io::Result<u32> {
    if len > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing to send a message of {len} bytes (limit {max})"),
        ));
    }
    // `len <= max`, and every cap fits in a u32.
    u32::try_from(len).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "message too large"))
}

/// Writes a blocks_by_range response frame (the bytes of a frame of [`encode_blocks`]) a chunk of at most
/// [`READ_CHUNK`] at a time: no buffer of the whole frame, one copy of each block.
pub async fn write_blocks<T, B>(io: &mut T, blocks: &[B], max: usize) -> io::Result<()>
where
    T: AsyncWrite + Unpin + Send,
    B: AsRef<[u8]> + Sync,
{
    let len = frame_length(encoded_blocks_len(blocks), max)?;
    let mut chunk = Vec::with_capacity(READ_CHUNK);
    chunk.extend_from_slice(&len.to_be_bytes());
    put_varint(&mut chunk, blocks.len() as u64);
    for block in blocks {
        let block = block.as_ref();
        // A varint length takes at most 5 bytes here (every block is < 2³² bytes).
        if chunk.len() + 5 + block.len() > READ_CHUNK {
            io.write_all(&chunk).await?;
            chunk.clear();
        }
        put_varint(&mut chunk, block.len() as u64);
        if block.len() > READ_CHUNK {
            io.write_all(&chunk).await?;
            chunk.clear();
            io.write_all(block).await?;
        } else {
            chunk.extend_from_slice(block);
        }
    }
    io.write_all(&chunk).await?;
    io.flush().await
}

/// Decodes a postcard body of at most `max` bytes; `what` names it in the error.
fn decode_postcard<T>(body: &[u8], max: usize, what: &str) -> io::Result<T>
where
    T: Serialize + for<'de> Deserialize<'de>,
{
    ecsync_components::decode(body, max).map_err(|e| invalid(format!("bad {what}: {e}")))
}

/// Appends `value` as a postcard varint.
fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Size of [`encode_blocks`]'s output.
pub fn encoded_blocks_len<B: AsRef<[u8]>>(blocks: &[B]) -> usize {
    fn varint_len(mut v: u64) -> usize {
        let mut n = 1;
        while v >= 0x80 {
            v >>= 7;
            n += 1;
        }
        n
    }
    varint_len(blocks.len() as u64)
        + blocks
            .iter()
            .map(|b| varint_len(b.as_ref().len() as u64) + b.as_ref().len())
            .sum::<usize>()
}

/// Encodes a blocks_by_range response: the postcard encoding of `Vec<Vec<u8>>`.
pub fn encode_blocks<B: AsRef<[u8]>>(blocks: &[B]) -> Vec<u8> {
    let mut out = Vec::with_capacity(encoded_blocks_len(blocks));
    put_varint(&mut out, blocks.len() as u64);
    for block in blocks {
        let block = block.as_ref();
        put_varint(&mut out, block.len() as u64);
        out.extend_from_slice(block);
    }
    out
}

/// Decodes a blocks_by_range response body held in memory (as [`read_blocks`] reads one from a stream).
pub fn decode_blocks(
    body: &[u8],
    max_blocks: usize,
    max_block_bytes: usize,
) -> Result<Vec<Vec<u8>>, String> {
    let mut io = Cursor::new(body);
    let mut reader = Body::new(&mut io, body.len());
    reader
        .blocks(max_blocks, max_block_bytes)
        .now_or_never()
        .expect("reading from memory never waits")
        .map_err(|e| e.to_string())
}

/// Reads a blocks_by_range response frame of at most `max` body bytes: at most `max_blocks` blocks of at most
/// `max_block_bytes` each, every length checked against the limits and against the bytes the frame has left
/// before anything is allocated for it, no trailing bytes. Each block is read straight into a buffer of its own
/// size: no buffer of the whole frame, no copy of it.
pub async fn read_blocks<T>(
    io: &mut T,
    max: usize,
    max_blocks: usize,
    max_block_bytes: usize,
) -> io::Result<Vec<Vec<u8>>>
where
    T: AsyncRead + Unpin + Send,
{
    let len = read_length(io, max).await?;
    Body::new(io, len).blocks(max_blocks, max_block_bytes).await
}

/// A frame body read from a stream, buffered, never past its end.
struct Body<'a, T> {
    io: BufReader<Take<&'a mut T>>,
    len: usize,
    left: usize,
}

impl<'a, T: AsyncRead + Unpin + Send> Body<'a, T> {
    fn new(io: &'a mut T, len: usize) -> Self {
        Self {
            io: BufReader::with_capacity(len.clamp(1, READ_CHUNK), io.take(len as u64)),
            len,
            left: len,
        }
    }

    /// The stream ended inside the frame.
    fn ended(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!(
                "message ended after {} of {} bytes",
                self.len - self.left,
                self.len
            ),
        )
    }

    /// Fills `out` from the body (the caller checked that the body has that many bytes left).
    async fn fill(&mut self, out: &mut [u8]) -> io::Result<()> {
        match self.io.read_exact(out).await {
            Ok(()) => {
                self.left -= out.len();
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(self.ended()),
            Err(e) => Err(e),
        }
    }

    /// A canonical (shortest-form) postcard varint of at most 5 bytes (every value accepted here is < 2³²).
    async fn varint(&mut self) -> io::Result<u64> {
        let mut value = 0u64;
        for i in 0..5 {
            if self.left == 0 {
                return Err(invalid("truncated length".into()));
            }
            let mut byte = [0u8];
            self.fill(&mut byte).await?;
            let byte = byte[0];
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                if byte == 0 && i > 0 {
                    return Err(invalid("non-canonical length".into()));
                }
                return Ok(value);
            }
        }
        Err(invalid("length too large".into()))
    }

    /// The postcard encoding of a `Vec<Vec<u8>>`, checked as it is read (see [`read_blocks`]).
    async fn blocks(
        &mut self,
        max_blocks: usize,
        max_block_bytes: usize,
    ) -> io::Result<Vec<Vec<u8>>> {
        let count = self.varint().await?;
        if count > max_blocks as u64 {
            return Err(invalid(format!(
                "{count} blocks in one response (limit {max_blocks})"
            )));
        }
        let mut blocks = Vec::with_capacity(count as usize);
        for i in 0..count {
            let len = self.varint().await?;
            if len > max_block_bytes as u64 {
                return Err(invalid(format!(
                    "block {i} of the response has {len} bytes (limit {max_block_bytes})"
                )));
            }
            let len = len as usize;
            if len > self.left {
                return Err(invalid(format!(
                    "block {i} of the response claims {len} bytes, {} left",
                    self.left
                )));
            }
            // Grown a chunk at a time as the bytes arrive: a peer that claims a big block and stalls gets at
            // most one chunk allocated ahead of what it sent.
            let mut block = Vec::with_capacity(len.min(READ_CHUNK));
            while block.len() < len {
                let start = block.len();
                block.resize(start + (len - start).min(READ_CHUNK), 0);
                self.fill(&mut block[start..]).await?;
            }
            blocks.push(block);
        }
        if self.left != 0 {
            return Err(invalid(format!(
                "{} trailing bytes after the blocks",
                self.left
            )));
        }
        Ok(blocks)
    }
}

/// The status protocol's codec.
#[derive(Clone, Copy, Debug, Default)]
pub struct StatusCodec;

impl StatusCodec {
    fn request_cap(&self) -> usize {
        MAX_REQUEST_BYTES
    }

    fn response_cap(&self) -> usize {
        MAX_STATUS_RESPONSE_BYTES
    }
}

postcard_codec!(StatusCodec, StatusMessage, StatusMessage, "status");

/// The blocks_by_range protocol's codec, with the chain's block size limit and, in the clone libp2p makes for one
/// outbound stream, the cap of the request written on it.
#[derive(Clone, Copy, Debug)]
pub struct BlocksCodec {
    /// Largest block encoding accepted in a response.
    pub max_block_bytes: u32,
    /// Block bytes the response may carry: set by `write_request` from the request's `max_bytes`
    /// ([`response_cap`]); `None` (the protocol cap) in a codec that wrote no request.
    pub response_cap: Option<usize>,
}

impl BlocksCodec {
    /// A codec for a chain whose blocks are at most `max_block_bytes`.
    pub fn new(max_block_bytes: u32) -> Self {
        Self {
            max_block_bytes,
            response_cap: None,
        }
    }

    /// Block bytes a response read by this codec may carry.
    fn block_bytes_cap(&self) -> usize {
        self.response_cap.unwrap_or(MAX_RESPONSE_BYTES)
    }

    /// Cap on a response body read by this codec.
    fn max_response_bytes(&self) -> usize {
        max_blocks_response_bytes(self.max_block_bytes, self.block_bytes_cap())
    }
}

impl request_response::Codec for BlocksCodec {
    type Protocol = StreamProtocol;
    type Request = BlocksByRangeRequest;
    type Response = Vec<Bytes>;

    async fn read_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> io::Result<BlocksByRangeRequest>
    where
        T: AsyncRead + Unpin + Send,
    {
        let body = read_frame(io, MAX_REQUEST_BYTES).await?;
        decode_postcard(&body, MAX_REQUEST_BYTES, "blocks_by_range request")
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Vec<Bytes>>
    where
        T: AsyncRead + Unpin + Send,
    {
        let blocks = read_blocks(
            io,
            self.max_response_bytes(),
            MAX_BLOCKS_PER_REQUEST as usize,
            self.max_block_bytes as usize,
        )
        .await
        .map_err(|e| match e.kind() {
            io::ErrorKind::InvalidData => invalid(format!("bad blocks_by_range response: {e}")),
            _ => e,
        })?;
        let cap = self.block_bytes_cap();
        let total: usize = blocks.iter().map(Vec::len).sum();
        if blocks.len() > 1 && total > cap {
            return Err(invalid(format!(
                "bad blocks_by_range response: {} blocks of {total} bytes exceed the request's max_bytes {cap}",
                blocks.len()
            )));
        }
        // Each vector moved into a `Bytes` (its length is its capacity: no copy).
        Ok(blocks.into_iter().map(Bytes::from).collect())
    }

    async fn write_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        request: BlocksByRangeRequest,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        // This clone of the codec serves this stream only: its read_response reads the answer to this request.
        self.response_cap = Some(request.block_bytes_cap());
        write_frame(io, &ecsync_components::encode(&request), MAX_REQUEST_BYTES).await
    }

    async fn write_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        response: Vec<Bytes>,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_blocks(io, &response, self.max_response_bytes()).await
    }
}
