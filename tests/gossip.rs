//! Block gossip between real node processes: a node at its head imports a block gossiped to it at once and
//! forwards it; an invalid one stops at the first node, whose sender is banned. The publishers are libp2p clients
//! built from `ecsync::network` (as the producer will publish), talking to the nodes on 127.0.0.1.

mod common;

use std::path::Path;

use common::wire::WireClient;
use common::{NodeProc, copy_chain, template};
use ecsync::components::{BlockRef, ChainSpec, ChainStore, NetEvent, SignedBlock};

/// `name{verdict="…"}` of a node's /metrics (0 when absent).
fn metric(node: &NodeProc, name: &str) -> u64 {
    let (_, body) = common::request(node.http.as_deref().unwrap(), "GET", "/metrics");
    body.lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or(0)
}

fn verdicts(node: &NodeProc) -> [u64; 3] {
    ["accept", "reject", "ignore"].map(|v| {
        metric(
            node,
            &format!("ecsync_gossip_blocks_total{{verdict=\"{v}\"}}"),
        )
    })
}

/// The number of peers the engine of `node` knows.
fn peers(node: &NodeProc) -> u64 {
    node.status()["peers_connected"].as_u64().unwrap_or(0)
}

fn generator(dir: &Path) -> ecsync::systems::chaingen::ChainGenerator {
    let params = ecsync::store::chain_dir::load_generator(dir)
        .unwrap()
        .unwrap();
    ecsync::systems::chaingen::ChainGenerator::new(params).unwrap()
}

/// The blocks gossiped on a chain at its head: the next valid block, the valid one after it, and that one
/// forged (carrying the next block's signature).
struct Gossiped {
    spec: ChainSpec,
    head: BlockRef,
    next: SignedBlock,
    after: SignedBlock,
    forged: SignedBlock,
}

/// The blocks to gossip on `chain`, at its head `blocks`.
fn gossiped(chain: &Path, blocks: u64) -> Gossiped {
    let (spec, head_block) = common::with_store_lock(|| {
        let (spec, store) = ecsync::store::chain_dir::open_chain_dir(chain).unwrap();
        (spec, store.block(blocks).unwrap().unwrap())
    });
    let generator = generator(chain);
    let head = BlockRef::of(&head_block);
    let next = generator.sign(generator.child(&head_block));
    let after = generator.sign(generator.child(&next));
    let mut forged = after.clone();
    forged.approval.signature = next.approval.signature;
    Gossiped {
        spec,
        head,
        next,
        after,
        forged,
    }
}

/// B serving `chain` (copied to `t/b`), and C (`--peer B` only) synced to it at `blocks`.
fn b_and_c_synced(t: &Path, chain: &Path, blocks: u64) -> (NodeProc, NodeProc) {
    let b_dir = t.join("b");
    copy_chain(chain, &b_dir);
    let b = NodeProc::start(&["--data", b_dir.to_str().unwrap(), "--http", "127.0.0.1:0"]);
    let c_dir = t.join("c");
    let spec_file = chain.join("spec.json");
    let c = NodeProc::start(&[
        "--data",
        c_dir.to_str().unwrap(),
        "--spec",
        spec_file.to_str().unwrap(),
        "--peer",
        &b.addr,
        "--http",
        "127.0.0.1:0",
    ]);
    common::wait_until(
        "C synced to B",
        || (c.height() == blocks).then_some(()),
        || format!("{}", c.status()),
    );
    (b, c)
}

/// A valid next block, gossiped to B by `honest`: imported by B at once, forwarded to C, imported there too
/// (at `height`); neither rejects it.
fn assert_a_valid_block_is_imported_and_forwarded(
    (b, c): (&NodeProc, &NodeProc),
    honest: &WireClient,
    next: &SignedBlock,
    height: u64,
) {
    common::wait_until(
        "B imports the gossiped block",
        || {
            // Until B is on the client's topic view, the block is not published; afterwards this is a no-op.
            honest.publish(next);
            (b.height() == height).then_some(())
        },
        || format!("{} {:?}", b.status(), verdicts(b)),
    );
    assert_eq!(verdicts(b), [1, 0, 0]);
    common::wait_until(
        "C imports it",
        || (c.height() == height).then_some(()),
        || format!("{} {:?}", c.status(), verdicts(c)),
    );
    common::wait_until(
        "C judged it (accepted, or ignored if range sync was first)",
        || (verdicts(c).iter().sum::<u64>() == 1).then_some(()),
        || format!("{:?}", verdicts(c)),
    );
    assert_eq!(verdicts(c)[1], 0);
}

/// An invalid block from another client: rejected by B (which stays at `height`), its sender banned and
/// disconnected. Returns the (disconnected) client.
fn assert_a_forged_block_is_rejected_and_its_sender_banned(
    b: &NodeProc,
    blocks: &Gossiped,
    height: u64,
) -> WireClient {
    let (mut hostile, _) = WireClient::connect(&blocks.spec, blocks.head, &b.addr);
    common::wait_until(
        "B's engine knows the hostile client",
        || (peers(b) == 3).then_some(()),
        || format!("{}", b.status()),
    );
    let bans = metric(b, "ecsync_peer_bans_total");
    common::wait_until(
        "B rejects the forged block",
        || {
            hostile.publish(&blocks.forged);
            (verdicts(b)[1] == 1).then_some(())
        },
        || format!("{:?}", verdicts(b)),
    );
    hostile.wait(|e| matches!(e, NetEvent::PeerGone { .. }).then_some(()));
    // The metrics follow the tick that banned it (the disconnect can reach the client first).
    common::wait_until(
        "B counts the ban",
        || (metric(b, "ecsync_peer_bans_total") > bans).then_some(()),
        || format!("{}", b.status()),
    );
    assert_eq!(metric(b, "ecsync_peer_bans_total"), bans + 1);
    assert_eq!(b.height(), height, "nothing imported");
    hostile
}

/// B serves a generated chain at its head, C (`--peer B` only) synced to it. A client connected to B publishes
/// the next valid block: B and C both import it (C through B's forwarding: it has no other peer). Another client
/// publishes an invalid block (a valid block carrying another block's signature): B rejects it, bans that client
/// (it is disconnected), and C never receives it: a valid block published after it reaches C, and C's verdicts
/// count only the valid blocks.
#[test]
fn gossiped_blocks_are_imported_and_forwarded_and_invalid_ones_stop_at_the_first_node() {
    const BLOCKS: u64 = 40;
    let t = tempfile::tempdir().unwrap();
    let chain = template(21, BLOCKS);
    let blocks = gossiped(&chain, BLOCKS);
    let (b, c) = b_and_c_synced(t.path(), &chain, BLOCKS);

    // A valid next block, gossiped to B: imported by B at once, forwarded to C, imported there too.
    let (honest, _) = WireClient::connect(&blocks.spec, blocks.head, &b.addr);
    common::wait_until(
        "B's engine knows the client",
        || (peers(&b) == 2).then_some(()),
        || format!("{}", b.status()),
    );
    assert_a_valid_block_is_imported_and_forwarded((&b, &c), &honest, &blocks.next, BLOCKS + 1);

    // An invalid block from another client: rejected by B, its sender banned and disconnected.
    let _hostile = assert_a_forged_block_is_rejected_and_its_sender_banned(&b, &blocks, BLOCKS + 1);

    // The valid block at that height, published after it: it reaches C, the forged one never did.
    common::wait_until(
        "B imports the valid block",
        || {
            honest.publish(&blocks.after);
            (b.height() == BLOCKS + 2).then_some(())
        },
        || format!("{} {:?}", b.status(), verdicts(&b)),
    );
    common::wait_until(
        "C imports it",
        || (c.height() == BLOCKS + 2).then_some(()),
        || format!("{} {:?}", c.status(), verdicts(&c)),
    );
    common::wait_until(
        "C judged both valid blocks",
        || (verdicts(&c).iter().sum::<u64>() == 2).then_some(()),
        || format!("{:?}", verdicts(&c)),
    );
    let c_verdicts = verdicts(&c);
    assert_eq!(
        c_verdicts[1], 0,
        "C never got the forged block: {c_verdicts:?}"
    );
    assert_eq!(metric(&c, "ecsync_peer_bans_total"), 0);
    assert_eq!(verdicts(&b), [2, 1, 0]);
}
