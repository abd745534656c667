//! The eviction rule (`eviction.rs`): [`select_victim`] on crafted candidates, and the [`Usefulness`] book on real
//! addresses, every rng seeded. Each test first shows what the rule picks without the property under test (so its
//! assertion can fail), then with it.

use std::time::Duration;

use libp2p::Multiaddr;
use libp2p::PeerId as Libp2pPeer;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tokio::time::Instant;

use super::super::eviction::{
    Candidate, Netgroup, PROTECT_BY_BLOCKS, PROTECT_BY_GOSSIP, PROTECT_BY_NETGROUP,
    PROTECT_BY_PING, Usefulness, select_victim,
};

fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn ms(m: u64) -> Duration {
    Duration::from_millis(m)
}

/// A peer connected `at` seconds after `t0`, in keyed group `group`, with nothing to its credit.
fn cand(t0: Instant, at: u64, group: u64) -> Candidate {
    Candidate {
        peer: Libp2pPeer::random(),
        connected_at: t0 + secs(at),
        connections: 1,
        netgroup: group,
        min_ping: None,
        last_blocks: None,
        last_gossip: None,
    }
}

/// `n` peers of one group, peer `i` connected `i` seconds after `t0`.
fn crowd(t0: Instant, n: u64) -> Vec<Candidate> {
    (0..n).map(|i| cand(t0, i, 7)).collect()
}

/// `n` peers alone in groups keyed above any other group of these tests: the netgroup step protects them and
/// nobody else.
fn shields(t0: Instant) -> Vec<Candidate> {
    (0..PROTECT_BY_NETGROUP as u64)
        .map(|i| cand(t0, 500 + i, 1_000 + i))
        .collect()
}

fn pick(candidates: &[Candidate], seed: u64) -> Option<Libp2pPeer> {
    select_victim(candidates.to_vec(), &mut rng(seed))
}

fn addr(s: &str) -> Multiaddr {
    s.parse().expect("a multiaddr")
}

/// A book holding `n` peers from `10.1.0.0/16`, peer `i` connected `i` seconds after `t0`.
fn book_of(t0: Instant, n: u64, seed: u64) -> (Usefulness, Vec<Libp2pPeer>) {
    let mut book = Usefulness::new(&mut rng(seed));
    let peers: Vec<Libp2pPeer> = (0..n).map(|_| Libp2pPeer::random()).collect();
    for (i, peer) in (0..n).zip(&peers) {
        book.on_connected(
            *peer,
            &addr(&format!("/ip4/10.1.0.{i}/tcp/9000")),
            t0 + secs(i),
        );
    }
    (book, peers)
}

#[test]
fn no_candidate_is_none() {
    let t0 = Instant::now();
    assert_eq!(select_victim(Vec::new(), &mut rng(1)), None);
    let (book, peers) = book_of(t0, 3, 1);
    assert!(book.victim(&peers[2], |_| false, &mut rng(1)).is_some());
    // Everyone else reserved.
    assert_eq!(
        book.victim(&peers[2], |p| *p != peers[2], &mut rng(1)),
        None
    );
    // A lone candidate is its netgroup's protected peer.
    assert_eq!(
        book.victim(&peers[2], |p| *p == peers[1], &mut rng(1)),
        None
    );
    let (alone, peers) = book_of(t0, 1, 1);
    assert_eq!(alone.victim(&peers[0], |_| false, &mut rng(1)), None);
}

#[test]
fn reserved_peers_are_never_chosen() {
    let t0 = Instant::now();
    let (book, peers) = book_of(t0, 20, 2);
    let newcomer = Libp2pPeer::random();
    // The 8 youngest are reserved; unreserved, the youngest would go.
    let reserved = &peers[12..];
    assert_eq!(
        book.victim(&newcomer, |_| false, &mut rng(0)),
        Some(peers[19])
    );
    for seed in 0..32 {
        let victim = book
            .victim(&newcomer, |p| reserved.contains(p), &mut rng(seed))
            .expect("unreserved peers remain");
        assert!(
            !reserved.contains(&victim),
            "seed {seed}: evicted a reserved peer"
        );
    }
    assert_eq!(
        book.victim(&newcomer, |p| reserved.contains(p), &mut rng(0)),
        Some(peers[11])
    );
}

#[test]
fn the_newcomer_is_never_chosen() {
    let t0 = Instant::now();
    let (book, peers) = book_of(t0, 10, 3);
    let other = Libp2pPeer::random();
    assert_eq!(book.victim(&other, |_| false, &mut rng(0)), Some(peers[9]));
    // The youngest is the newcomer (its record is in the book): the next youngest goes.
    for seed in 0..32 {
        assert_eq!(
            book.victim(&peers[9], |_| false, &mut rng(seed)),
            Some(peers[8])
        );
    }
}

#[test]
fn the_lowest_pings_are_protected() {
    let t0 = Instant::now();
    let mut c = crowd(t0, 20);
    assert_eq!(pick(&c, 1), Some(c[19].peer));
    c[19].min_ping = Some(ms(50));
    assert_eq!(pick(&c, 1), Some(c[18].peer));
    // One more measured than protected: the highest ping (the youngest) loses its protection.
    let measured = PROTECT_BY_PING + 1;
    for (i, rtt) in (20 - measured..19).zip(10..) {
        c[i].min_ping = Some(ms(rtt));
    }
    c[19].min_ping = Some(ms(100));
    assert_eq!(pick(&c, 1), Some(c[19].peer));
    // Now the youngest is fastest: the slowest of the others (peer 18) is no longer protected.
    c[19].min_ping = Some(ms(1));
    assert_eq!(pick(&c, 1), Some(c[18].peer));
}

#[test]
fn the_latest_gossip_is_protected() {
    let t0 = Instant::now();
    let mut c = crowd(t0, 20);
    assert_eq!(pick(&c, 2), Some(c[19].peer));
    c[19].last_gossip = Some(t0 + secs(100));
    assert_eq!(pick(&c, 2), Some(c[18].peer));
    // One more than protected: the oldest delivery (the youngest peer's) loses.
    for (i, at) in (19 - PROTECT_BY_GOSSIP..19).zip(101..) {
        c[i].last_gossip = Some(t0 + secs(at));
    }
    assert_eq!(pick(&c, 2), Some(c[19].peer));
    // Left out here, the youngest is still protected by the next category, blocks delivered; half of the 14
    // others (1..=14) by age, and peer 14 goes.
    c[19].last_blocks = Some(t0 + secs(90));
    assert_eq!(pick(&c, 2), Some(c[14].peer));
}

#[test]
fn the_latest_blocks_are_protected() {
    let t0 = Instant::now();
    let mut c = crowd(t0, 20);
    assert_eq!(pick(&c, 3), Some(c[19].peer));
    c[19].last_blocks = Some(t0 + secs(100));
    assert_eq!(pick(&c, 3), Some(c[18].peer));
    for (i, at) in (19 - PROTECT_BY_BLOCKS..19).zip(101..) {
        c[i].last_blocks = Some(t0 + secs(at));
    }
    assert_eq!(pick(&c, 3), Some(c[19].peer));
    // The youngest delivers again, latest of all: peer 15, now the oldest delivery, is left out, and as the
    // youngest of the rest it goes.
    c[19].last_blocks = Some(t0 + secs(200));
    assert_eq!(pick(&c, 3), Some(c[19 - PROTECT_BY_BLOCKS].peer));
}

#[test]
fn keyed_netgroups_protect_one_peer_in_each_of_the_top_groups() {
    let t0 = Instant::now();
    // Six peers alone in their groups. Keys falling with age: the 4 oldest are the top groups, the half-by-age
    // step protects the next, the youngest goes.
    let falling: Vec<Candidate> = (0..6).map(|i| cand(t0, i, 6 - i)).collect();
    assert_eq!(pick(&falling, 4), Some(falling[5].peer));
    // Keys rising with age: the 4 youngest are protected, of the 2 oldest the younger goes.
    let mut rising: Vec<Candidate> = (0..6).map(|i| cand(t0, i, 1 + i)).collect();
    assert_eq!(pick(&rising, 4), Some(rising[1].peer));
    // Two more peers in the top group: only its oldest is protected (distinct groups), so its youngest goes.
    rising.push(cand(t0, 6, 6));
    rising.push(cand(t0, 7, 6));
    assert_eq!(pick(&rising, 4), Some(rising[7].peer));
}

#[test]
fn the_longest_connected_half_is_protected() {
    let t0 = Instant::now();
    // Group 1: `n` old peers; group 2: 6 young ones. Half the 6 + n unprotected candidates (all from group 1) is
    // protected: with n = 19, 7 of group 1 are left, more than group 2's 6, and its youngest goes; with n = 18,
    // 6 are left, a tie that goes to the group whose youngest is youngest: group 2.
    let run = |n: u64| {
        let mut c = shields(t0);
        let old: Vec<Candidate> = (0..n).map(|i| cand(t0, i, 1)).collect();
        let young: Vec<Candidate> = (0..6).map(|i| cand(t0, 100 + i, 2)).collect();
        c.extend(old.iter().cloned());
        c.extend(young.iter().cloned());
        (pick(&c, 5), old, young)
    };
    let (victim, old, _) = run(19);
    assert_eq!(victim, Some(old[18].peer));
    let (victim, _, young) = run(18);
    assert_eq!(victim, Some(young[5].peer));
}

#[test]
fn groups_are_sized_by_connections() {
    let t0 = Instant::now();
    let mut c = shields(t0);
    // Five old peers of group 3 take the protected half; left: group 1, 2 peers with 2 connections each (4), and
    // group 2, 3 peers with 1 each (3).
    c.extend((0..5).map(|i| cand(t0, i, 3)));
    let mut doubled: Vec<Candidate> = (0..2).map(|i| cand(t0, 10 + i, 1)).collect();
    let single: Vec<Candidate> = (0..3).map(|i| cand(t0, 20 + i, 2)).collect();
    c.extend(single.iter().cloned());
    assert_eq!(pick(&[&c[..], &doubled].concat(), 6), Some(single[2].peer));
    for d in &mut doubled {
        d.connections = 2;
    }
    assert_eq!(pick(&[&c[..], &doubled].concat(), 6), Some(doubled[1].peer));
}

#[test]
fn a_crowded_netgroup_is_evicted_before_lone_peers() {
    let t0 = Instant::now();
    // 12 old peers from 10.1/16 and 6 younger ones, each alone in its /16.
    let (mut book, crowded) = book_of(t0, 12, 7);
    let lone: Vec<Libp2pPeer> = (0..6).map(|_| Libp2pPeer::random()).collect();
    for (i, peer) in (0..6u64).zip(&lone) {
        book.on_connected(
            *peer,
            &addr(&format!("/ip4/10.{}.0.1/tcp/1", 2 + i)),
            t0 + secs(20 + i),
        );
    }
    let newcomer = Libp2pPeer::random();
    // Evicting one after another: the first 6 all come from the crowded group, although the lone peers are younger.
    for round in 0..6 {
        let victim = book
            .victim(&newcomer, |_| false, &mut rng(round))
            .expect("a victim");
        assert!(
            crowded.contains(&victim),
            "round {round}: evicted a lone peer"
        );
        book.on_disconnected(&victim);
    }
    // The same peers and times, all in 10.1/16: the youngest, the last of the 6, goes first.
    let (mut one_group, _) = book_of(t0, 0, 7);
    for (i, peer) in crowded.iter().enumerate() {
        one_group.on_connected(
            *peer,
            &addr(&format!("/ip4/10.1.0.{i}/tcp/1")),
            t0 + secs(i as u64),
        );
    }
    for (i, peer) in (0..6u64).zip(&lone) {
        one_group.on_connected(
            *peer,
            &addr(&format!("/ip4/10.1.1.{i}/tcp/1")),
            t0 + secs(20 + i),
        );
    }
    assert_eq!(
        one_group.victim(&newcomer, |_| false, &mut rng(0)),
        Some(lone[5])
    );
}

#[test]
fn netgroups_are_ipv4_16_and_ipv6_32() {
    let g = |s: &str| Netgroup::of(&addr(s));
    assert_eq!(g("/ip4/10.1.2.3/tcp/1"), Netgroup::V4([10, 1]));
    assert_eq!(g("/ip4/10.1.200.9/tcp/2"), g("/ip4/10.1.2.3/tcp/1"));
    assert_ne!(g("/ip4/10.2.2.3/tcp/1"), g("/ip4/10.1.2.3/tcp/1"));
    assert_eq!(g("/ip4/127.0.0.1/tcp/1"), g("/ip4/127.0.9.9/tcp/5"));
    assert_eq!(
        g("/ip6/2001:db8:1::1/tcp/1"),
        Netgroup::V6([0x20, 0x01, 0x0d, 0xb8])
    );
    assert_eq!(
        g("/ip6/2001:db8:ffff::2/tcp/1"),
        g("/ip6/2001:db8:1::1/tcp/1")
    );
    assert_ne!(g("/ip6/2001:db9::1/tcp/1"), g("/ip6/2001:db8:1::1/tcp/1"));
    assert_eq!(g("/ip6/::ffff:10.1.2.3/tcp/1"), Netgroup::V4([10, 1]));
    assert_eq!(g("/dns4/example.com/tcp/1"), Netgroup::Other);
    assert_eq!(g("/ip6/::1/tcp/1"), Netgroup::V6([0; 4]));
    // Keyed: equal within a group, apart between groups, and another secret gives other values.
    let (a, b) = (Usefulness::new(&mut rng(1)), Usefulness::new(&mut rng(2)));
    let v4 = Netgroup::V4([10, 1]);
    assert_eq!(a.keyed(v4), a.keyed(g("/ip4/10.1.7.7/tcp/1")));
    assert_ne!(a.keyed(v4), a.keyed(Netgroup::V4([10, 2])));
    assert_ne!(a.keyed(v4), a.keyed(Netgroup::V6([10, 1, 0, 0])));
    assert_ne!(a.keyed(v4), b.keyed(v4));
}

#[test]
fn a_seeded_rng_gives_one_answer_and_breaks_exact_ties() {
    let t0 = Instant::now();
    // Ten peers connected at the same instant in one group: all tied.
    let tied: Vec<Candidate> = (0..10).map(|_| cand(t0, 0, 7)).collect();
    let mut reversed = tied.clone();
    reversed.reverse();
    let mut seen = std::collections::HashSet::new();
    for seed in 0..64 {
        let victim = pick(&tied, seed).expect("a victim");
        assert_eq!(pick(&tied, seed), Some(victim), "seed {seed}: two answers");
        assert_eq!(
            pick(&reversed, seed),
            Some(victim),
            "seed {seed}: order matters"
        );
        seen.insert(victim);
    }
    assert!(seen.len() > 1, "ties never broken differently: {seen:?}");
    // Two books with one seed and the same events agree.
    let (a, peers) = book_of(t0, 16, 9);
    let mut b = Usefulness::new(&mut rng(9));
    for (i, peer) in peers.iter().enumerate().rev() {
        let at = t0 + secs(i as u64);
        b.on_connected(*peer, &addr(&format!("/ip4/10.1.0.{i}/tcp/9000")), at);
    }
    let newcomer = Libp2pPeer::random();
    for seed in 0..16 {
        let victim = a.victim(&newcomer, |_| false, &mut rng(seed));
        assert_eq!(victim, b.victim(&newcomer, |_| false, &mut rng(seed)));
    }
}

#[test]
fn the_book_holds_connected_peers_only() {
    let t0 = Instant::now();
    let mut book = Usefulness::new(&mut rng(3));
    let (p, q) = (Libp2pPeer::random(), Libp2pPeer::random());
    assert!(book.is_empty());
    // Events about a peer not connected are ignored.
    book.on_ping(&p, ms(5));
    book.on_blocks(&p, t0);
    book.on_gossip_accepted(&p, t0);
    book.on_closed(&p, 1);
    assert!(book.is_empty());
    book.on_connected(p, &addr("/ip4/10.1.0.1/tcp/1"), t0);
    book.on_connected(p, &addr("/ip4/10.9.0.1/tcp/1"), t0 + secs(5));
    book.on_connected(q, &addr("/ip4/10.2.0.1/tcp/1"), t0 + secs(1));
    assert_eq!((book.len(), book.connections()), (2, 3));
    let rec = book.get(&p).expect("p connected").clone();
    // The first connection's time and group.
    assert_eq!(rec.connected_at, t0);
    assert_eq!(rec.netgroup, book.keyed(Netgroup::V4([10, 1])));
    // The lowest ping, the latest deliveries.
    book.on_ping(&p, ms(40));
    book.on_ping(&p, ms(20));
    book.on_ping(&p, ms(30));
    book.on_blocks(&p, t0 + secs(9));
    book.on_blocks(&p, t0 + secs(3));
    book.on_gossip_accepted(&p, t0 + secs(4));
    let rec = book.get(&p).expect("p connected");
    assert_eq!(rec.min_ping, Some(ms(20)));
    assert_eq!(rec.last_blocks, Some(t0 + secs(9)));
    assert_eq!(rec.last_gossip, Some(t0 + secs(4)));
    book.on_closed(&p, 1);
    assert_eq!((book.len(), book.connections()), (2, 2));
    book.on_closed(&p, 0);
    assert!(book.get(&p).is_none());
    book.on_disconnected(&q);
    assert!(book.is_empty());
    // A closing connection of a peer already forgotten does not bring it back.
    book.on_closed(&q, 1);
    assert!(book.is_empty());
}
