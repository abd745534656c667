//! Checkpoint sync's judge, with real processes: an `ecsync node --checkpoint HEIGHT:HASH` on an empty store asks
//! its peers for the trusted block and judges each answer. A hostile peer in this process (a network built from
//! `ecsync::network`, telling the honest head with its proof) answers the request for the trusted block with a
//! crafted answer:
//!
//! - the trusted block with another block's approval (the right hash: the hash covers the header only);
//! - the block above it (a wrong height);
//! - half of the trusted block's encoding (undecodable);
//! - nothing (it lacks the block).
//!
//! The first three must be refused, with a log line naming the peer and why, and the peer sent away; the last is
//! not held against the peer, which is asked again while the node keeps waiting and says so. In every case an
//! honest peer that connects afterwards (a serving node dialling in, so that the hostile answer is judged first)
//! gives the node its anchor, and the node syncs to the head from there.
//!
//! Every wait watches a condition (a log line, an answer counter, an event, the node's status) with the tests'
//! deadline.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{DEADLINE, NodeProc, copy_chain, head_hash, head_json, request, wait_until};
use ecsync::components::{ChainSpec, ChainStore, HeadProof, NetEvent, SignedBlock, StatusMessage};

/// Blocks in the served chain.
const BLOCKS: u64 = 400;
/// The trusted block's height.
const AT: u64 = 300;

/// The served chain and what the hostile peer crafts its answers from.
struct Fixture {
    /// The generated chain (spec, store).
    template: PathBuf,
    /// Its spec.
    spec: ChainSpec,
    /// The trusted block.
    anchor: SignedBlock,
    /// The block below it.
    below: SignedBlock,
    /// The block above it.
    above: SignedBlock,
    /// The honest head's status, with its proof.
    status: StatusMessage,
}

fn fixture() -> Fixture {
    let template = common::template(41, BLOCKS);
    let (spec, blocks) = common::with_store_lock(|| {
        let (spec, store) = ecsync::store::chain_dir::open_chain_dir(&template).unwrap();
        let block = |h: u64| store.block(h).unwrap().unwrap();
        (spec, [AT - 1, AT, AT + 1, BLOCKS].map(block))
    });
    let [below, anchor, above, head] = blocks;
    let status = StatusMessage::proven(spec.chain_id, spec.genesis_hash, HeadProof::of(&head));
    Fixture {
        template,
        spec,
        anchor,
        below,
        above,
        status,
    }
}

/// A hostile peer's store: the honest head in its status, `answer` to a request for the trusted block, nothing
/// to any other.
struct Crafted {
    status: StatusMessage,
    answer: Vec<Vec<u8>>,
    /// Requests for the trusted block so far.
    asked: Arc<AtomicUsize>,
}

impl ecsync::network::BlockSource for Crafted {
    fn status(&self) -> StatusMessage {
        self.status.clone()
    }

    fn blocks(&self, start: u64, _: u32, _: usize) -> Vec<Vec<u8>> {
        if start != AT {
            return Vec::new();
        }
        self.asked.fetch_add(1, Ordering::SeqCst);
        self.answer.clone()
    }
}

/// The hostile peer: a network of its own on a runtime of its own, connected to the node.
struct Hostile {
    handle: ecsync::network::NetworkHandle,
    events: tokio::sync::mpsc::Receiver<NetEvent>,
    runtime: tokio::runtime::Runtime,
    asked: Arc<AtomicUsize>,
}

impl Hostile {
    /// Dials `node` telling `status` and answering the trusted block's request with `answer`; returns once the
    /// status exchange passed on its side.
    fn connect(spec: &ChainSpec, status: StatusMessage, answer: Vec<Vec<u8>>, node: &str) -> Self {
        let asked = Arc::new(AtomicUsize::new(0));
        let source = Arc::new(Crafted {
            status,
            answer,
            asked: Arc::clone(&asked),
        });
        let (runtime, handle, events) = common::wire::dial_serving(spec, node, source);
        let mut hostile = Self {
            handle,
            events,
            runtime,
            asked,
        };
        hostile.wait("connected", |e| matches!(e, NetEvent::PeerConnected { .. }));
        hostile
    }

    /// Its libp2p peer id, as the node's log names it.
    fn id(&self) -> String {
        self.handle.local_peer_id().to_string()
    }

    /// Requests for the trusted block it answered.
    fn asked(&self) -> usize {
        self.asked.load(Ordering::SeqCst)
    }

    /// Waits for an event `pick` accepts, skipping others, within the deadline.
    fn wait(&mut self, what: &str, pick: impl Fn(&NetEvent) -> bool) {
        let events = &mut self.events;
        let seen = self.runtime.block_on(async {
            tokio::time::timeout(DEADLINE, async {
                while let Some(event) = events.recv().await {
                    if pick(&event) {
                        return true;
                    }
                }
                false
            })
            .await
        });
        assert!(
            matches!(seen, Ok(true)),
            "the hostile peer saw no {what} event within {DEADLINE:?}"
        );
    }
}

/// A node on an empty store in `dir`, started from the trusted block, with no peer to dial, and HTTP.
fn checkpoint_node(f: &Fixture, dir: &Path) -> NodeProc {
    let checkpoint = format!("{AT}:{}", f.anchor.hash().to_hex());
    NodeProc::syncing(&f.template, dir, &[], &["--checkpoint", &checkpoint])
}

/// An honest serving node (in `t`) dials `node`, which must take its anchor from it and sync to the head; the
/// node's store then starts at the trusted block and ends at the served head.
fn completes_from_an_honest_peer(f: &Fixture, t: &Path, mut node: NodeProc, dir: &Path) {
    let served = t.join("honest");
    copy_chain(&f.template, &served);
    let _honest = NodeProc::start(&["--data", served.to_str().unwrap(), "--peer", &node.addr]);
    node.wait_log("the anchor from the honest peer", |l| {
        l.contains(&format!("checkpoint sync: starting from block {AT}"))
    });
    let url = node.http.clone().unwrap();
    wait_until(
        "Synced at the served head",
        || {
            let (code, body) = request(&url, "GET", "/sync/status");
            let status: serde_json::Value = serde_json::from_str(&body).ok()?;
            (code == 200 && status["state"] == "Synced" && status["current_height"] == BLOCKS)
                .then_some(())
        },
        || request(&url, "GET", "/sync/status").1,
    );
    node.terminate();
    let head = head_json(dir);
    // Started at the trusted block; the backfill may have moved the lowest block below it since.
    assert!(head["anchor"].as_u64().is_some_and(|a| a <= AT), "{head}");
    assert_eq!(head["height"], BLOCKS, "{head}");
    assert_eq!(head["hash"], head_hash(&f.template).as_str(), "{head}");
}

/// The node refuses the hostile peer's `answer` with a log line naming the peer and saying `why`, and sends it
/// away; then completes from an honest peer.
fn refuses(f: &Fixture, answer: Vec<Vec<u8>>, why: &str) {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("node");
    let mut node = checkpoint_node(f, &dir);
    let mut hostile = Hostile::connect(&f.spec, f.status.clone(), answer, &node.addr);
    let line = node.wait_log("refusing the hostile peer", |l| {
        l.contains("checkpoint sync: refused peer")
    });
    eprintln!("{line}");
    let expected = format!("refused peer {}: it answered {why}", hostile.id());
    assert!(line.contains(&expected), "{line}\nnot: {expected}");
    assert!(
        line.contains(&format!("when asked for the checkpoint {AT}:")),
        "{line}"
    );
    assert!(hostile.asked() >= 1, "refused unasked: {line}");
    hostile.wait("disconnected", |e| matches!(e, NetEvent::PeerGone { .. }));
    completes_from_an_honest_peer(f, t.path(), node, &dir);
}

#[test]
fn the_trusted_block_with_an_invalid_approval_is_refused() {
    let f = fixture();
    // Another block's approval: a well-formed aggregate signature, over another hash. The hash is the header's,
    // so the block still has the trusted hash.
    let mut forged = f.anchor.clone();
    forged.approval = f.below.approval.clone();
    assert_eq!(forged.hash(), f.anchor.hash());
    assert_ne!(forged.approval, f.anchor.approval);
    refuses(
        &f,
        vec![forged.encode()],
        "the checkpoint's block with an invalid approval",
    );
}

#[test]
fn a_block_at_another_height_is_refused() {
    let f = fixture();
    refuses(
        &f,
        vec![f.above.encode()],
        &format!("block {} instead", AT + 1),
    );
}

#[test]
fn an_undecodable_answer_is_refused() {
    let f = fixture();
    let bytes = f.anchor.encode();
    refuses(
        &f,
        vec![bytes[..bytes.len() / 2].to_vec()],
        "an undecodable block",
    );
}

#[test]
fn a_peer_that_lacks_the_block_is_asked_again_not_refused() {
    let f = fixture();
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("node");
    let mut node = checkpoint_node(&f, &dir);
    let hostile = Hostile::connect(&f.spec, f.status.clone(), Vec::new(), &node.addr);
    // Asked, answered empty, and asked again: an empty answer did not get it refused.
    wait_until(
        "the lacking peer asked twice",
        || (hostile.asked() >= 2).then_some(()),
        || format!("asked {} times", hostile.asked()),
    );
    let waiting = format!("checkpoint sync: waiting for block {AT}: 1 peers connected, 1 claim it");
    node.wait_log("the node still waiting", |l| l.contains(&waiting));
    let refused: Vec<String> = node
        .drain_log()
        .into_iter()
        .filter(|l| l.contains("refused peer"))
        .collect();
    assert!(refused.is_empty(), "{refused:?}");
    completes_from_an_honest_peer(&f, t.path(), node, &dir);
}
