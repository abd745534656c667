//! The operator's peer ban over HTTP, between two real `ecsync node` processes on loopback (`b` has `--peer a`):
//! `POST /peers/ban` on `a` disconnects `b` on both sides, `b`'s redials are refused while the ban lasts (counted
//! in `GET /peers/banned`), and `POST /peers/unban` brings them back together. Bad requests get a 400 (413 for
//! an oversized body) with a clear message, and change nothing. Every wait watches a condition.

mod common;

use common::federation::metric;
use common::{NodeProc, copy_chain, get_json, post_json, template, wait_until};

/// The engine's connected peers, from /metrics.
fn connected(node: &NodeProc) -> u64 {
    metric(node, "ecsync_peers_connected", "")
}

/// `GET /peers/banned`.
fn banned(node: &NodeProc) -> serde_json::Value {
    get_json(node.http.as_deref().unwrap(), "/peers/banned")
}

/// Two nodes of one chain, `b` dialing `a`, both serving HTTP on loopback; waits until they are connected.
fn two_nodes(dir: &std::path::Path) -> (NodeProc, NodeProc) {
    let chain = template(3, 20);
    let (da, db) = (dir.join("a"), dir.join("b"));
    copy_chain(&chain, &da);
    copy_chain(&chain, &db);
    let a = NodeProc::start(&["--data", da.to_str().unwrap(), "--http", "127.0.0.1:0"]);
    let b = NodeProc::start(&[
        "--data",
        db.to_str().unwrap(),
        "--http",
        "127.0.0.1:0",
        "--peer",
        &a.addr,
    ]);
    wait_until(
        "a and b connected",
        || (connected(&a) == 1 && connected(&b) == 1).then_some(()),
        || format!("a: {}, b: {}", connected(&a), connected(&b)),
    );
    (a, b)
}

#[test]
fn a_ban_over_http_separates_two_nodes_until_it_is_lifted() {
    let t = tempfile::tempdir().unwrap();
    let (a, b) = two_nodes(t.path());
    let (a_http, b_id) = (a.http.clone().unwrap(), common::peer_id(&b));
    assert_eq!(metric(&a, "ecsync_peers_banned", ""), 0);

    let (code, body) = post_json(
        &a_http,
        "/peers/ban",
        &format!(r#"{{"peer": "{b_id}", "seconds": 3600}}"#),
    );
    assert_eq!(code, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["peer"], b_id.as_str(), "{answer}");
    assert_eq!(answer["seconds"], 3600, "{answer}");
    assert_eq!(answer["disconnected"], true, "{answer}");
    assert_eq!(answer["lifted"], serde_json::Value::Null, "{answer}");

    wait_until(
        "both engines lost their peer",
        || (connected(&a) == 0 && connected(&b) == 0).then_some(()),
        || format!("a: {}, b: {}", connected(&a), connected(&b)),
    );
    // b redials its configured peer a, which refuses it: twice, so b was refused after the drop was seen.
    let refused = |node: &NodeProc| banned(node)["banned"][0]["refused"].as_u64().unwrap_or(0);
    wait_until(
        "b's redials refused twice",
        || (refused(&a) >= 2).then_some(()),
        || format!("{}", banned(&a)),
    );
    assert_eq!((connected(&a), connected(&b)), (0, 0), "down while banned");
    let list = banned(&a);
    assert_eq!(list["max"], 1024, "{list}");
    let bans = list["banned"].as_array().unwrap();
    assert_eq!(bans.len(), 1, "{list}");
    assert_eq!(bans[0]["peer"], b_id.as_str(), "{list}");
    let left = bans[0]["seconds_left"].as_u64().unwrap();
    assert!((1..=3600).contains(&left), "{list}");
    assert_eq!(metric(&a, "ecsync_peers_banned", ""), 1);
    assert_eq!(banned(&b)["banned"].as_array().unwrap().len(), 0);

    let (code, body) = post_json(&a_http, "/peers/unban", &format!(r#"{{"peer": "{b_id}"}}"#));
    assert_eq!(code, 200, "{body}");
    assert!(body.contains(r#""unbanned":true"#), "{body}");
    wait_until(
        "a and b connected again",
        || (connected(&a) == 1 && connected(&b) == 1).then_some(()),
        || format!("a: {}, b: {}", connected(&a), connected(&b)),
    );
    assert_eq!(banned(&a)["banned"].as_array().unwrap().len(), 0);
    assert_eq!(metric(&a, "ecsync_peers_banned", ""), 0);
    let (code, body) = post_json(&a_http, "/peers/unban", &format!(r#"{{"peer": "{b_id}"}}"#));
    assert_eq!(code, 404, "{body}");
    assert!(body.contains("is not banned"), "{body}");
}

/// Bad bodies for `POST /peers/ban` on node `a` (`b` a peer): (body, status, what the error says).
fn bad_bans(a_id: &str, b_id: &str) -> Vec<(String, u16, &'static str)> {
    let with = |rest: &str| format!(r#"{{"peer": "{b_id}"{rest}}}"#);
    vec![
        ("not json".into(), 400, "bad JSON"),
        (String::new(), 400, "bad JSON"),
        (
            r#"{"peer": "nobody", "seconds": 10}"#.into(),
            400,
            "bad peer id",
        ),
        (with(""), 400, "missing field `seconds`"),
        (with(r#", "seconds": 0"#), 400, "bad duration"),
        (with(r#", "seconds": -5"#), 400, "bad duration"),
        (with(r#", "seconds": 1.5"#), 400, "bad duration"),
        (with(r#", "seconds": 604801"#), 400, "from 1 to 604800"),
        (with(r#", "seconds": "10""#), 400, "bad JSON"),
        (with(r#", "seconds": 10, "x": 1"#), 400, "unknown field"),
        (
            format!(r#"{{"peer": "{a_id}", "seconds": 10}}"#),
            400,
            "cannot ban itself",
        ),
        (
            with(&format!(
                r#", "seconds": 10, "pad": "{}""#,
                "x".repeat(2000)
            )),
            413,
            "at most 1024 bytes",
        ),
    ]
}

#[test]
fn bad_ban_requests_get_a_clear_400_and_change_nothing() {
    let t = tempfile::tempdir().unwrap();
    let (a, b) = two_nodes(t.path());
    let (a_http, a_id, b_id) = (
        a.http.clone().unwrap(),
        common::peer_id(&a),
        common::peer_id(&b),
    );
    let ban = |body: &str| post_json(&a_http, "/peers/ban", body);
    let cases = bad_bans(&a_id, &b_id);
    for (body, code, says) in &cases {
        let (got, answer) = ban(body);
        assert_eq!(got, *code, "{body:.80}: {answer}");
        let error: serde_json::Value = serde_json::from_str(&answer)
            .unwrap_or_else(|e| panic!("{body:.80}: not JSON ({e}): {answer}"));
        let error = error["error"].as_str().unwrap_or_default();
        assert!(
            error.contains(says),
            "{body:.80}: {error:?} should say {says:?}"
        );
    }
    let (code, answer) = post_json(&a_http, "/peers/unban", r#"{"peer": 7}"#);
    assert_eq!(code, 400, "{answer}");
    // Nothing was banned: still connected on both sides, no ban listed.
    assert_eq!(banned(&a)["banned"].as_array().unwrap().len(), 0);
    assert_eq!(metric(&a, "ecsync_peers_banned", ""), 0);
    assert_eq!((connected(&a), connected(&b)), (1, 1));
}

/// On a public `--http` address (no control commands) a ban is refused with 403, as the control commands are;
/// without a network, the list answers 503. Both as JSON.
#[test]
fn bans_are_served_on_loopback_only() {
    use axum::body::Body;
    use axum::http::Request;
    use ecsync::components::SyncStatus;
    use ecsync::node::http::{DumpSent, HttpState, router};
    use std::sync::Arc;
    use tower::ServiceExt;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (_tx, status) = tokio::sync::watch::channel(SyncStatus::starting(Default::default()));
    let app = router(HttpState {
        status,
        metrics: ecsync::node::metrics::Metrics::new(),
        dump: Arc::new(|_, _| DumpSent::Stopped),
        dump_limits: Arc::default(),
        control: None,
        control_limits: Arc::default(),
        network: None,
    });
    let call = |request: Request<Body>| {
        let app = app.clone();
        runtime.block_on(async move {
            let response = app.oneshot(request).await.unwrap();
            let code = response.status().as_u16();
            let body = axum::body::to_bytes(response.into_body(), 1 << 16)
                .await
                .unwrap();
            (code, String::from_utf8_lossy(&body).into_owned())
        })
    };
    let body = r#"{"peer": "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA", "seconds": 10}"#;
    for path in ["/peers/ban", "/peers/unban"] {
        let request = Request::post(path).body(Body::from(body)).unwrap();
        let (code, answer) = call(request);
        assert_eq!(code, 403, "{path}: {answer}");
        assert!(
            answer.contains(r#""error":"peer bans are served on a loopback"#),
            "{answer}"
        );
    }
    let (code, answer) = call(Request::get("/peers/banned").body(Body::empty()).unwrap());
    assert_eq!(code, 503, "{answer}");
    assert!(answer.contains(r#""error":"no network""#), "{answer}");
}
