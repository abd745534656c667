//! Federation members (issue 12): key files exported from a generated chain's dev federation, and nodes that
//! hold them. Real processes.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::federation::metric;
use common::{NodeProc, copy_chain, exe, get_json, text};
use ecsync::components::{ApproveAnswer, Block, BlockRef, ChainSpec, ChainStore, RefusalKind};
use ecsync::systems::chaingen::ChainGenerator;

fn ecsync(args: &[&str]) -> Output {
    Command::new(exe()).args(args).output().expect("run ecsync")
}

/// Fails unless the command failed with one line on stderr containing `expect`, and no panic.
fn assert_clean_failure(out: &Output, expect: &str) {
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "expected failure: {stderr}");
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(errors.len(), 1, "one error line expected:\n{stderr}");
    assert!(
        errors[0].contains(expect),
        "expected {expect:?} in: {stderr}"
    );
}

fn keys(chain: &Path, authorities: &[&str], out: &Path) -> Output {
    let mut args = vec!["chain", "keys", chain.to_str().unwrap()];
    for a in authorities {
        args.extend(["--authority", a]);
    }
    args.extend(["--out", out.to_str().unwrap()]);
    ecsync(&args)
}

/// Exports authorities 2 and 0 of `chain` into `file`: readable by its owner only, with both keys, in order.
/// Returns the file's JSON.
fn assert_keys_exported_private_in_order(chain: &Path, file: &Path) -> serde_json::Value {
    let out = keys(chain, &["2", "0"], file);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("authorities [0, 2]"),
        "{}",
        text(&out.stdout)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "mode {mode:o}");
    }
    let parsed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let indices: Vec<u64> = parsed["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["authority"].as_u64().unwrap())
        .collect();
    assert_eq!(indices, vec![0, 2]);
    parsed
}

/// A node on `data` holding `file` is a member: its world says which authorities it is; its approval memory
/// sits beside the key file, and a second node cannot sign with the same keys meanwhile.
fn assert_a_node_with_the_keys_is_a_member_and_holds_its_memory(
    t: &Path,
    data: &Path,
    file: &Path,
) {
    // A node holding the file is a member: its world says which authorities it is.
    copy_chain(&common::template(3, 20), data);
    let node = NodeProc::start(&[
        "--data",
        data.to_str().unwrap(),
        "--authority-keys",
        file.to_str().unwrap(),
        "--http",
        "127.0.0.1:0",
    ]);
    let world = get_json(node.http.as_deref().unwrap(), "/debug/world");
    assert_eq!(
        world["resources"]["Membership"]["authorities"],
        serde_json::json!([0, 2]),
        "{}",
        world["resources"]
    );
    // Its approval memory sits beside the key file, and a second node cannot sign with the same keys meanwhile.
    assert!(t.join("member.keys.approvals.redb").exists());
    let twin = t.join("twin");
    copy_chain(&common::template(3, 20), &twin);
    let out = ecsync(&[
        "node",
        "--data",
        twin.to_str().unwrap(),
        "--authority-keys",
        file.to_str().unwrap(),
    ]);
    assert_clean_failure(&out, "approval memory");
    drop(node);
}

/// A node on `data` refuses, with one clear line each, key files readable by others, of another chain, with a
/// key under another authority's index (`parsed`, the good file's JSON, tampered), not key files, oversized, or
/// missing.
fn assert_bad_key_files_are_refused(
    t: &Path,
    data: &Path,
    file: &Path,
    parsed: &serde_json::Value,
) {
    let start = |keys: &Path| {
        ecsync(&[
            "node",
            "--data",
            data.to_str().unwrap(),
            "--authority-keys",
            keys.to_str().unwrap(),
        ])
    };
    // Readable by others: refused, with the fix.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let open = t.join("open.keys");
        std::fs::copy(file, &open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_clean_failure(&start(&open), "chmod 600");
    }
    // Keys of another chain.
    let other = t.join("other-chain");
    copy_chain(&common::template(4, 20), &other);
    let other_keys = t.join("other-chain.keys");
    assert!(keys(&other, &["0"], &other_keys).status.success());
    assert_clean_failure(&start(&other_keys), "not of this chain");
    // A key under another authority's index.
    let mut swapped = parsed.clone();
    swapped["keys"][0]["authority"] = serde_json::json!(1);
    let tampered = write_private(t, "tampered.keys", &swapped.to_string());
    assert_clean_failure(
        &start(&tampered),
        "does not match that authority's public key",
    );
    // Not a key file at all, and an oversized one.
    let junk = write_private(t, "junk.keys", "{\"chain_id\": 1, \"extra\": true}");
    assert_clean_failure(&start(&junk), "not a key file");
    let huge = write_private(t, "huge.keys", &" ".repeat(100_000));
    assert_clean_failure(&start(&huge), "more than a key file's");
    assert_clean_failure(&start(&t.join("missing.keys")), "cannot open");
}

#[test]
fn exported_keys_make_a_member_and_bad_key_files_are_refused() {
    let t = tempfile::tempdir().unwrap();
    let chain = t.path().join("chain");
    copy_chain(&common::template(3, 20), &chain);
    let file = t.path().join("member.keys");

    let parsed = assert_keys_exported_private_in_order(&chain, &file);

    // Never overwritten; an authority outside the federation is one clear line.
    let out = keys(&chain, &["1"], &file);
    assert_clean_failure(&out, "never overwritten");
    let out = keys(&chain, &["4"], &t.path().join("other.keys"));
    assert_clean_failure(&out, "--authority 4");
    assert!(!t.path().join("other.keys").exists());

    let data = t.path().join("member");
    assert_a_node_with_the_keys_is_a_member_and_holds_its_memory(t.path(), &data, &file);
    assert_bad_key_files_are_refused(t.path(), &data, &file, &parsed);
}

/// Writes `text` to a new file readable by its owner only.
fn write_private(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path
}

/// A client on the wire that asks approval questions.
struct Asker {
    wire: common::wire::WireClient,
    next: u64,
    /// The chain's dev federation, to endorse a proposal as its slot's producer would.
    federation: ecsync::systems::consensus::Federation,
}

impl Asker {
    /// Connects to `member` (its listen address) claiming `head` of `spec`'s chain (generated from `seed`), as a
    /// federation member holding authority `as_authority`'s key (only proven members may ask).
    fn connect(
        spec: &ecsync::components::ChainSpec,
        head: ecsync::components::BlockRef,
        member: &str,
        seed: u64,
        as_authority: usize,
    ) -> (Self, ecsync::components::PeerId) {
        let federation =
            ecsync::systems::consensus::Federation::from_seed(seed, spec.authority_count());
        let keys = ecsync::systems::consensus::MemberKeys::new(
            spec,
            &[(as_authority, federation.secret_key_bytes(as_authority))],
        )
        .unwrap();
        let status =
            ecsync::components::StatusMessage::unproven(spec.chain_id, spec.genesis_hash, head);
        let (wire, peer) = common::wire::WireClient::connect_as(
            spec,
            status,
            false,
            member,
            Some(std::sync::Arc::new(keys)),
        );
        let asker = Self {
            wire,
            next: 0,
            federation,
        };
        (asker, peer)
    }

    /// Asks `peer` to approve `block`, endorsed by `producer` (its slot producer's share); its answer.
    fn ask_with(
        &mut self,
        peer: ecsync::components::PeerId,
        block: &ecsync::components::Block,
        producer: ecsync::components::Approval,
    ) -> ecsync::components::ApproveAnswer {
        use ecsync::components::{NetEvent, Request, RequestId};
        self.next += 1;
        let request = RequestId(self.next);
        self.wire.send(Request::AskApproval {
            peer,
            request,
            block: Box::new(block.clone()),
            producer,
        });
        self.wire.wait(|e| match e {
            NetEvent::ApprovalAnswered {
                request: r, answer, ..
            } if *r == request => Some((**answer).clone()),
            NetEvent::RequestFailed {
                request: r, reason, ..
            } if *r == request => panic!("the question failed: {reason:?}"),
            _ => None,
        })
    }
}

impl Asker {
    /// Asks `peer` to approve `block` as its slot's producer would (with that authority's share).
    fn ask(
        &mut self,
        peer: ecsync::components::PeerId,
        block: &ecsync::components::Block,
    ) -> ecsync::components::ApproveAnswer {
        let producer = self.federation.approve(
            block.header.height,
            0,
            &block.header.hash(),
            1 << (block.header.slot % self.federation.len() as u64),
        );
        self.ask_with(peer, block, producer)
    }
}

fn refused_kind(answer: &ecsync::components::ApproveAnswer) -> ecsync::components::RefusalKind {
    match answer {
        ecsync::components::ApproveAnswer::Refused { kind, .. } => *kind,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The blocks a member is asked about, on a generated chain at its head.
struct Questions {
    spec: ChainSpec,
    head: BlockRef,
    generator: ChainGenerator,
    /// A valid block on the head.
    proposal: Block,
    /// Another block at the proposal's height, a slot later.
    rival: Block,
    /// A block two above the head (in a later slot): not on the head.
    off_head: Block,
}

/// The questions on the chain `template`, at its head `blocks`.
fn questions(template: &Path, blocks: u64) -> Questions {
    let (spec, head_block) = common::with_store_lock(|| {
        let (spec, store) = ecsync::store::chain_dir::open_chain_dir(template).unwrap();
        (spec, store.block(blocks).unwrap().unwrap())
    });
    let generator = ecsync_systems_generator(template);
    let head = BlockRef::of(&head_block);
    let proposal = generator.child(&head_block.block.header, head.hash);
    let mut rival = proposal.clone();
    rival.header.slot += 1;
    rival.header.timestamp_ms = spec.slot_start_ms(rival.header.slot);
    // A block two above the head (in a later slot): not on the head.
    let off_head = generator.child(&proposal.header, proposal.header.hash());
    Questions {
        spec,
        head,
        generator,
        proposal,
        rival,
        off_head,
    }
}

/// The member (authority 1) refuses a proposal endorsed by another than its slot's producer, approves it with
/// its own share (twice, the same share), and refuses another block at that height and a block off its head.
fn assert_approves_one_block_at_a_height_and_refuses_the_rest(
    forger: &mut Asker,
    asker: &mut Asker,
    peer: ecsync::components::PeerId,
    q: &Questions,
) {
    let (generator, proposal) = (&q.generator, &q.proposal);
    // Endorsed by an authority that is not its slot's producer: refused as invalid (its asker banned), and
    // nothing remembered.
    let not_producer = (proposal.header.slot as usize + 1) % q.spec.authority_count();
    let forged = generator.federation().approve(
        proposal.header.height,
        0,
        &proposal.header.hash(),
        1 << not_producer,
    );
    assert_eq!(
        refused_kind(&forger.ask_with(peer, proposal, forged)),
        RefusalKind::Invalid
    );
    let approved = asker.ask(peer, proposal);
    let expected =
        generator
            .federation()
            .approve(proposal.header.height, 0, &proposal.header.hash(), 1 << 1);
    assert_eq!(approved, ApproveAnswer::Approved(expected.clone()));
    // The same block again, ten times (a replayed proposal): the same signature, from memory (the metrics check
    // that it cost no write and no verification).
    for _ in 0..10 {
        assert_eq!(
            asker.ask(peer, proposal),
            ApproveAnswer::Approved(expected.clone())
        );
    }
    // Another block at that height: never.
    assert_eq!(
        refused_kind(&asker.ask(peer, &q.rival)),
        RefusalKind::Equivocation
    );
    assert_eq!(
        refused_kind(&asker.ask(peer, &q.off_head)),
        RefusalKind::NotOnHead
    );
}

/// The member's /metrics count eleven approvals given (one block: one write to its approval memory, one
/// verification of its producer's share, besides the forged share's), one equivocation and one invalid block
/// refused.
fn assert_metrics_count_what_was_given_and_refused(base: &str) {
    let metrics = common::request(base, "GET", "/metrics").1;
    assert!(
        metrics.contains("ecsync_approvals_given_total 11"),
        "{metrics}"
    );
    assert!(
        metrics.contains("ecsync_approval_memory_writes_total 1\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("ecsync_approval_share_checks_total 2\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("ecsync_approvals_refused_total{reason=\"equivocation\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("ecsync_approvals_refused_total{reason=\"invalid\"} 1"),
        "{metrics}"
    );
}

/// A node without keys (on a copy of `template` under `t`) refuses as not a member.
fn assert_a_node_without_keys_is_no_member(t: &Path, template: &Path, q: &Questions) {
    // A node without keys is no member.
    let plain = t.join("plain");
    copy_chain(template, &plain);
    let node = NodeProc::start(&["--data", plain.to_str().unwrap()]);
    let (mut asker, peer) = Asker::connect(&q.spec, q.head, &node.addr, 5, 0);
    assert_eq!(
        refused_kind(&asker.ask(peer, &q.proposal)),
        RefusalKind::NotAMember
    );
}

/// A member answers approval questions over the approve protocol: it approves a valid block on its head with
/// its share (byte-identical to what its authority's key makes), signs the same block again, refuses another
/// block at that height (also after a restart: the memory is durable) and a block off its head; a node without
/// keys refuses as not a member. Its metrics count what it gave and refused.
#[test]
fn a_member_answers_approval_questions_and_never_equivocates() {
    const BLOCKS: u64 = 40;
    let t = tempfile::tempdir().unwrap();
    let template = common::template(5, BLOCKS);
    let data = t.path().join("member");
    copy_chain(&template, &data);
    let file = t.path().join("member.keys");
    assert!(keys(&data, &["1"], &file).status.success());

    let q = questions(&template, BLOCKS);
    let (spec, head) = (&q.spec, q.head);

    let member_args = [
        "--data",
        data.to_str().unwrap(),
        "--authority-keys",
        file.to_str().unwrap(),
        "--http",
        "127.0.0.1:0",
    ];
    let mut member = NodeProc::start(&member_args);
    let (mut asker, peer) = Asker::connect(spec, head, &member.addr, 5, 0);
    let (mut forger, forger_peer) = Asker::connect(spec, head, &member.addr, 5, 2);
    // The member's gate opens once it sees a peer at its head (Synced); it has proven both askers members.
    common::wait_until(
        "the member's gate open and both askers proven",
        || {
            let open = member.status()["can_produce_blocks"] == true;
            let proven = metric(&member, "ecsync_federation_peers_connected", "") >= 2;
            (open && proven).then_some(())
        },
        || format!("{}", member.status()),
    );
    assert_eq!(
        forger_peer, peer,
        "both askers see the member as their first peer"
    );
    assert_approves_one_block_at_a_height_and_refuses_the_rest(&mut forger, &mut asker, peer, &q);
    let base = member.http.clone().unwrap();
    assert_metrics_count_what_was_given_and_refused(&base);

    // Restarted, it still remembers.
    drop(asker);
    member.terminate();
    let member = NodeProc::start(&member_args);
    let (mut asker, peer) = Asker::connect(spec, head, &member.addr, 5, 0);
    common::wait_until(
        "the member's gate open after the restart, the asker proven",
        || {
            let open = member.status()["can_produce_blocks"] == true;
            let proven = metric(&member, "ecsync_federation_peers_connected", "") >= 1;
            (open && proven).then_some(())
        },
        || format!("{}", member.status()),
    );
    assert_eq!(
        refused_kind(&asker.ask(peer, &q.rival)),
        RefusalKind::Equivocation
    );
    drop(asker);
    drop(member);

    assert_a_node_without_keys_is_no_member(t.path(), &template, &q);
}

/// The generator of a generated chain directory.
fn ecsync_systems_generator(dir: &Path) -> ecsync::systems::chaingen::ChainGenerator {
    let params = ecsync::store::chain_dir::load_generator(dir)
        .unwrap()
        .unwrap();
    ecsync::systems::chaingen::ChainGenerator::new(params).unwrap()
}
