//! Fuzz harnesses: one function per decoder of peer input, each feeding arbitrary bytes through the code a node
//! runs on them and asserting what must hold whatever the bytes are. The cargo-fuzz targets in `fuzz/` are one
//! line each around these functions; `tests/fuzz_inputs.rs` replays the seed corpus and every input a fuzzer ever
//! found (`fuzz/regressions/<target>/`) through them in the ordinary test run. docs/FUZZING.md has the runs.
//!
//! | harness            | what a peer controls                  | the code under test                                  |
//! |--------------------|---------------------------------------|------------------------------------------------------|
//! | [`status`]         | a status request or response stream   | `StatusCodec` (frame, postcard, canonical form)      |
//! | [`range_request`]  | a blocks_by_range request stream      | `BlocksCodec::read_request`, then `serving::read_answer` from a redb store |
//! | [`range_response`] | a blocks_by_range answer stream       | `BlocksCodec::read_response`, `check_answer`, the standalone block rules |
//! | [`block`]          | one block's bytes                     | `SignedBlock::decode`, every rule a block keeps alone, BLS decoding and verification |
//! | [`head_proof`]     | a status with a head proof            | `StatusCodec::read_response`, the proof's match with the status head, `ChainSpec::begins_beyond`, `verify_head_proof` |
//!
//! Panics are the findings: a harness panics only when the code under test panics or breaks an invariant.

use std::future::Future;
use std::pin::pin;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

use ecsync_components::ecs::Range;
use ecsync_components::{
    ChainSpec, ChainStore, EncodedBlock, HeadProof, MAX_BLOCKS_PER_REQUEST, SignedBlock,
    StatusMessage, imports,
};
use ecsync_systems::chaingen::{ChainGenerator, GenParams};
use ecsync_systems::consensus::{Authorities, PreparedApproval, check_standalone};
use ecsync_systems::handle_responses::check_answer;
use libp2p::StreamProtocol;
use libp2p::futures::io::Cursor;
use libp2p::request_response::Codec;

use crate::network::codec::{
    BlocksCodec, MAX_REQUEST_BYTES, MAX_STATUS_RESPONSE_BYTES, StatusCodec, decode_blocks,
    encode_blocks, max_blocks_response_bytes,
};
use crate::network::{BlocksByRangeRequest, read_answer};
use crate::node::Source;
use crate::store::RedbStore;

/// Blocks in the harnesses' store (heights 1..=STORED).
pub const STORED: usize = 8;

/// The chain the harnesses judge blocks against: 4 authorities, 64-byte payloads, seed 1.
pub fn fuzz_params() -> GenParams {
    GenParams {
        payload_bytes: 64,
        ..GenParams::default()
    }
}

/// "Now" for the clock rules: 2026-11-26T00:00:00Z (every generated block's slot has begun by then).
pub const NOW_MS: u64 = 1_795_651_200_000;

/// What every harness shares: the chain's generator, its keys and a store holding its first [`STORED`] blocks.
struct Fixture {
    generator: ChainGenerator,
    authorities: Authorities,
    source: Source,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let generator = ChainGenerator::new(fuzz_params()).expect("the fuzz chain's parameters");
        let authorities = Authorities::from_spec(generator.spec()).expect("the fuzz chain's keys");
        let mut store = RedbStore::in_memory(generator.spec(), Some(generator.genesis()))
            .expect("a store in memory");
        let blocks = EncodedBlock::all(generator.blocks(STORED));
        store
            .import_batch(&imports(&blocks), None)
            .expect("the fuzz chain imports");
        Fixture {
            generator,
            authorities,
            source: Source::new(store.reader()),
        }
    })
}

/// The spec the harnesses use.
pub fn spec() -> &'static ChainSpec {
    fixture().generator.spec()
}

/// The generator of the harnesses' chain (for seed inputs).
pub fn generator() -> &'static ChainGenerator {
    &fixture().generator
}

/// Runs a future that never waits (every stream here is in memory) to completion.
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("a codec waited on an in-memory stream"),
    }
}

fn protocol() -> StreamProtocol {
    StreamProtocol::new("/ecsync/fuzz")
}

/// The frame a codec read from `data`: the bytes it consumed.
fn consumed(io: &Cursor<&[u8]>) -> usize {
    usize::try_from(io.position()).expect("a position within the input")
}

/// A status request and a status response made of `data`: whatever decodes is the one canonical encoding of what
/// it decodes to, within the caps.
pub fn status(data: &[u8]) {
    for as_response in [false, true] {
        let mut io = Cursor::new(data);
        let mut codec = StatusCodec;
        let decoded = if as_response {
            ready(codec.read_response(&protocol(), &mut io))
        } else {
            ready(codec.read_request(&protocol(), &mut io))
        };
        let Ok(status) = decoded else { continue };
        let used = consumed(&io);
        assert!(used <= 4 + MAX_REQUEST_BYTES.max(MAX_STATUS_RESPONSE_BYTES));
        let mut out = Cursor::new(Vec::new());
        let written: StatusMessage = status;
        ready(codec.write_response(&protocol(), &mut out, written))
            .expect("a decoded status encodes within the cap");
        assert_eq!(
            out.into_inner(),
            &data[..used],
            "a status is accepted only in its canonical encoding"
        );
    }
}

/// A blocks_by_range request made of `data`, decoded as a server decodes it and answered from the store the way
/// a server answers (count capped, blocks read to the request's byte cap, the answer sanitized): the answer is
/// within every limit the request and the protocol set, fits the server's reservation, and the requester's codec
/// and answer check accept it.
pub fn range_request(data: &[u8]) {
    let mut io = Cursor::new(data);
    let mut codec = BlocksCodec::new(spec().max_block_bytes);
    let Ok(request) = ready(codec.read_request(&protocol(), &mut io)) else {
        return;
    };
    let used = consumed(&io);
    let mut out = Cursor::new(Vec::new());
    ready(codec.write_request(&protocol(), &mut out, request))
        .expect("a decoded request encodes within the cap");
    assert_eq!(
        out.into_inner(),
        &data[..used],
        "a request is accepted only in its canonical encoding"
    );

    // Serve it with the server's own code.
    let count = request.served_count();
    let cap = request.block_bytes_cap();
    let max_block_bytes = spec().max_block_bytes as usize;
    let answer = read_answer(&fixture().source, &request, max_block_bytes, false);
    assert!(answer.len() <= count as usize);
    let total: usize = answer.iter().map(|b| b.len()).sum();
    assert!(
        answer.len() <= 1 || total <= cap,
        "{total} bytes over the cap {cap}"
    );

    // The requester's side: the same request written, the answer read back and checked.
    let mut requester = BlocksCodec::new(spec().max_block_bytes);
    ready(requester.write_request(&protocol(), &mut Cursor::new(Vec::new()), request))
        .expect("the request encodes");
    let mut wire = Cursor::new(Vec::new());
    ready(codec.write_response(&protocol(), &mut wire, answer.clone()))
        .expect("a sanitized answer fits the response cap");
    let wire = wire.into_inner();
    assert!(wire.len() <= 4 + max_blocks_response_bytes(spec().max_block_bytes, cap));
    let read = ready(requester.read_response(&protocol(), &mut Cursor::new(&wire[..])))
        .expect("the requester accepts what a server sends");
    assert_eq!(read, answer);
    if count > 0 {
        let range = Range {
            start: request.start,
            count,
        };
        let checked = check_answer(
            &range,
            read.into_iter().map(Vec::from).collect(),
            max_block_bytes,
        )
        .expect("the stored blocks are the requested heights");
        // The bytes a requester keeps (and would store) are the bytes served.
        assert!(
            checked.iter().map(|(_, bytes)| bytes).eq(answer.iter()),
            "the checked answer keeps the served bytes"
        );
    }
}

/// A blocks_by_range answer: `data` is the request's `max_bytes` (4 bytes, little-endian) and first height (8
/// bytes), then the answer's stream. What the codec accepts is within the request's caps and is the canonical
/// encoding of the blocks; the blocks then go through the answer check and the standalone block rules.
pub fn range_response(data: &[u8]) {
    let Some((head, stream)) = data.split_at_checked(12) else {
        return;
    };
    let max_bytes = u32::from_le_bytes(head[..4].try_into().expect("4 bytes"));
    let start = u64::from_le_bytes(head[4..].try_into().expect("8 bytes"));
    let request = BlocksByRangeRequest {
        start,
        count: MAX_BLOCKS_PER_REQUEST,
        max_bytes,
    };
    let spec = spec();
    let mut codec = BlocksCodec::new(spec.max_block_bytes);
    ready(codec.write_request(&protocol(), &mut Cursor::new(Vec::new()), request))
        .expect("the request encodes");
    let mut io = Cursor::new(stream);
    let Ok(blocks) = ready(codec.read_response(&protocol(), &mut io)) else {
        return;
    };
    let blocks: Vec<Vec<u8>> = blocks.into_iter().map(Vec::from).collect();
    let used = consumed(&io);
    let max_block_bytes = spec.max_block_bytes as usize;
    assert!(blocks.len() <= MAX_BLOCKS_PER_REQUEST as usize);
    assert!(blocks.iter().all(|b| b.len() <= max_block_bytes));
    let total: usize = blocks.iter().map(Vec::len).sum();
    assert!(blocks.len() <= 1 || total <= request.block_bytes_cap());
    assert_eq!(
        encode_blocks(&blocks),
        &stream[4..used],
        "an answer is accepted only in its canonical encoding"
    );
    assert_eq!(
        decode_blocks(&stream[4..used], blocks.len(), max_block_bytes).as_ref(),
        Ok(&blocks)
    );
    let range = Range {
        start,
        count: MAX_BLOCKS_PER_REQUEST,
    };
    let Ok(checked) = check_answer(&range, blocks, max_block_bytes) else {
        return;
    };
    for (block, bytes) in &checked {
        // What a pending block keeps, and the store would write as it is, is the block's canonical encoding.
        assert_eq!(&block.encode(), bytes);
        let _ = check_standalone(spec, block, bytes.len(), NOW_MS);
    }
}

/// One block's bytes: what decodes re-encodes to the same bytes; every rule a block keeps alone is checked, and
/// its approval decoded and verified (BLS) whatever the rules said, as a batch would.
pub fn block(data: &[u8]) {
    let fixture = fixture();
    let spec = fixture.generator.spec();
    let Ok(block) = SignedBlock::decode(data, spec.max_block_bytes as usize) else {
        return;
    };
    assert_eq!(
        block.encode(),
        data,
        "a block decodes only from its canonical encoding"
    );
    assert_eq!(block.encoded_len(), data.len());
    let rules = check_standalone(spec, &block, data.len(), NOW_MS);
    if let Ok(approval) = PreparedApproval::new(&fixture.authorities, &block, block.hash()) {
        let verified = approval.verify();
        if verified.is_ok() {
            // A signature that verifies is the federation's over this very block: its approvers are known.
            assert!(
                block.approval.indices().all(|i| i < spec.authority_count()),
                "a verified approval names only authorities"
            );
            // ... and the round the federation precommitted the fuzz chain's blocks in (it signed nothing else).
            assert_eq!(
                block.approval.round,
                ecsync_systems::chaingen::GENERATED_ROUND,
                "an approval verified in another round"
            );
        }
        // The rules and the signature are independent: a batch verifies signatures of blocks whose rules
        // have not been checked yet, so neither may depend on the other having run.
        let _ = rules;
    }
}

/// A status response made of `data` whose head proof is checked as `ingest_events` and `prove_heads` check it:
/// it must name the status's head, not be from the future, and verify. Whatever verifies is a block of the fuzz
/// chain (no input can forge the federation's signature): its height is within the store and its hash is the
/// stored block's, and its approval names known authorities, a quorum and the slot's producer.
pub fn head_proof(data: &[u8]) {
    let mut io = Cursor::new(data);
    let Ok(status) = ready(StatusCodec.read_response(&protocol(), &mut io)) else {
        return;
    };
    let Some(proof) = status.proof else { return };
    if proof.head() != status.head {
        return;
    }
    let fixture = fixture();
    let spec = fixture.generator.spec();
    let skew = ecsync_components::SyncConfig::default().max_clock_skew_ms;
    if spec.begins_beyond(proof.header.slot, NOW_MS, skew) {
        return;
    }
    let Ok(head) = ecsync_systems::consensus::verify_head_proof(spec, &fixture.authorities, &proof)
    else {
        return;
    };
    assert!(
        (1..=STORED as u64).contains(&head.height),
        "a proof verified above the chain: {head:?}"
    );
    let stored = fixture
        .source
        .reader
        .encoded_range(head.height, 1, usize::MAX)
        .expect("the fixture store reads");
    let block = SignedBlock::decode(&stored[0], usize::MAX).expect("a stored block decodes");
    assert_eq!(
        block.hash(),
        head.hash,
        "a proof verified for another block"
    );
    assert!(proof.approval.count() as usize >= spec.quorum());
    assert!(
        proof
            .approval
            .includes(spec.producer_index(proof.header.slot))
    );
    // The federation precommitted the fuzz chain's blocks in round 0 only: a proof naming another round is not
    // its approval.
    assert_eq!(
        proof.approval.round, block.approval.round,
        "a proof verified in another round"
    );
}

/// A seed: `(harness, name, bytes)`.
type Seed = (&'static str, String, Vec<u8>);

/// Seed inputs for each harness, from the fuzz chain: `(harness, name, bytes)`.
pub fn seeds() -> Vec<Seed> {
    let generator = generator();
    let spec = generator.spec();
    let blocks = generator.blocks(STORED);
    let mut seeds = status_seeds(spec, &blocks);
    seeds.extend(range_seeds(&blocks));
    for (i, block) in blocks.iter().take(3).enumerate() {
        seeds.push(("block", format!("height{}", i + 1), block.encode()));
    }
    seeds
}

/// `body` behind its length (4 bytes, big-endian), as the codecs frame it.
fn frame(body: Vec<u8>) -> Vec<u8> {
    let mut out = (body.len() as u32).to_be_bytes().to_vec();
    out.extend(body);
    out
}

/// Statuses for `status` and `head_proof`: the head's proof, another block's approval over it, none.
fn status_seeds(spec: &ChainSpec, blocks: &[SignedBlock]) -> Vec<Seed> {
    let mut seeds = Vec::new();
    let status = StatusMessage::proven(
        spec.chain_id,
        spec.genesis_hash,
        HeadProof::of(&blocks[STORED - 1]),
    );
    seeds.push((
        "status",
        "head".to_string(),
        frame(ecsync_components::encode(&status)),
    ));
    seeds.push((
        "head_proof",
        "head".to_string(),
        frame(ecsync_components::encode(&status)),
    ));
    // A checkpoint-synced node's, backfilling: it serves heights from the middle of its chain.
    let backfilling = status.clone().serving_from(STORED as u64 / 2);
    seeds.push((
        "status",
        "backfilling".to_string(),
        frame(ecsync_components::encode(&backfilling)),
    ));
    // Another block's approval over the head's header: decodes, names the head, does not verify.
    let mut swapped = status.clone();
    if let Some(proof) = swapped.proof.as_mut() {
        proof.approval = blocks[0].approval.clone();
    }
    seeds.push((
        "head_proof",
        "swapped_approval".to_string(),
        frame(ecsync_components::encode(&swapped)),
    ));
    let unproven = StatusMessage::unproven(spec.chain_id, spec.genesis_hash, status.head);
    seeds.push((
        "head_proof",
        "unproven".to_string(),
        frame(ecsync_components::encode(&unproven)),
    ));
    seeds
}

/// Range requests (whole, middle, a one-byte cap, past the head) and answers (three blocks, one, none).
fn range_seeds(blocks: &[SignedBlock]) -> Vec<Seed> {
    let mut seeds = Vec::new();
    for (name, start, count, max_bytes) in [
        ("all", 1u64, MAX_BLOCKS_PER_REQUEST, u32::MAX),
        ("middle", 3, 4, 1 << 20),
        ("one_byte_cap", 2, 5, 1),
        ("past_head", 100, 10, 1 << 20),
    ] {
        let request = BlocksByRangeRequest {
            start,
            count,
            max_bytes,
        };
        seeds.push((
            "range_request",
            name.to_string(),
            frame(ecsync_components::encode(&request)),
        ));
    }
    for (name, from, to) in [("three", 0usize, 3usize), ("one", 4, 5), ("empty", 0, 0)] {
        let raw: Vec<Vec<u8>> = blocks[from..to].iter().map(SignedBlock::encode).collect();
        let mut input = (1u32 << 20).to_le_bytes().to_vec();
        input.extend((from as u64 + 1).to_le_bytes());
        input.extend(frame(encode_blocks(&raw)));
        seeds.push(("range_response", name.to_string(), input));
    }
    seeds
}

/// The harness called `name`, if there is one.
pub fn harness(name: &str) -> Option<fn(&[u8])> {
    Some(match name {
        "status" => status,
        "range_request" => range_request,
        "range_response" => range_response,
        "block" => block,
        "head_proof" => head_proof,
        _ => return None,
    })
}

/// Every harness's name.
pub const HARNESSES: [&str; 5] = [
    "status",
    "range_request",
    "range_response",
    "block",
    "head_proof",
];
