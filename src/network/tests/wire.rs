//! Framing and the codecs on their own, without a network.

use libp2p::futures::io::Cursor;
use libp2p::request_response::Codec;

use super::*;
use crate::network::codec::{self, BlocksByRangeRequest, BlocksCodec, StatusCodec};

#[tokio::test(flavor = "multi_thread")]
async fn frame_length_is_checked_before_reading_the_body() {
    // Claims 4 GiB and sends nothing more: refused as invalid at once, not read (which would be UnexpectedEof).
    let mut io = Cursor::new(vec![0xff, 0xff, 0xff, 0xff]);
    let err = codec::read_frame(&mut io, 1024).await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData, "{err}");

    // One byte over the cap.
    let mut bytes = 1025u32.to_be_bytes().to_vec();
    bytes.resize(4 + 1025, 0);
    let err = codec::read_frame(&mut Cursor::new(bytes), 1024)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);

    // Exactly the cap is fine; a short body is an EOF.
    let mut bytes = 1024u32.to_be_bytes().to_vec();
    bytes.resize(4 + 1024, 9);
    let body = codec::read_frame(&mut Cursor::new(bytes), 1024)
        .await
        .unwrap();
    assert_eq!(body, vec![9; 1024]);
    let mut bytes = 100u32.to_be_bytes().to_vec();
    bytes.resize(4 + 50, 9);
    let err = codec::read_frame(&mut Cursor::new(bytes), 1024)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);

    // The codecs: an oversized blocks response, and a request over 1 KiB.
    let protocol = libp2p::StreamProtocol::new(BLOCKS_BY_RANGE_PROTOCOL);
    let mut blocks = BlocksCodec::new(1 << 20);
    let huge =
        (codec::max_blocks_response_bytes(1 << 20, MAX_RESPONSE_BYTES) as u32 + 1).to_be_bytes();
    let err = blocks
        .read_response(&protocol, &mut Cursor::new(huge.to_vec()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    let err = blocks
        .read_request(&protocol, &mut Cursor::new(2000u32.to_be_bytes().to_vec()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    let err = StatusCodec
        .read_request(&protocol, &mut Cursor::new(u32::MAX.to_be_bytes().to_vec()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
}

#[tokio::test(flavor = "multi_thread")]
async fn codecs_round_trip() {
    let protocol = libp2p::StreamProtocol::new(STATUS_PROTOCOL);
    let s = status(3, GENESIS, 1_000_000);
    let mut buf = Cursor::new(Vec::new());
    StatusCodec
        .write_request(&protocol, &mut buf, s.clone())
        .await
        .unwrap();
    buf.set_position(0);
    assert_eq!(
        StatusCodec.read_request(&protocol, &mut buf).await.unwrap(),
        s
    );

    let mut blocks = BlocksCodec::new(1 << 20);
    let request = BlocksByRangeRequest {
        start: u64::MAX,
        count: 5000,
        max_bytes: u32::MAX,
    };
    let mut buf = Cursor::new(Vec::new());
    blocks
        .write_request(&protocol, &mut buf, request)
        .await
        .unwrap();
    buf.set_position(0);
    assert_eq!(
        blocks.read_request(&protocol, &mut buf).await.unwrap(),
        request
    );

    let response: Vec<bytes::Bytes> = fake_blocks(50, |h| h * 97)
        .into_iter()
        .map(bytes::Bytes::from)
        .collect();
    let mut buf = Cursor::new(Vec::new());
    blocks
        .write_response(&protocol, &mut buf, response.clone())
        .await
        .unwrap();
    buf.set_position(0);
    assert_eq!(
        blocks.read_response(&protocol, &mut buf).await.unwrap(),
        response
    );

    // Garbage bodies are errors, not panics.
    for body in [vec![], vec![0x80], vec![1, 0x85], vec![0xff; 20]] {
        let mut frame = (body.len() as u32).to_be_bytes().to_vec();
        frame.extend_from_slice(&body);
        assert!(
            blocks
                .read_response(&protocol, &mut Cursor::new(frame.clone()))
                .await
                .is_err()
        );
        assert!(
            StatusCodec
                .read_response(&protocol, &mut Cursor::new(frame))
                .await
                .is_err()
        );
    }
}

#[test]
fn blocks_wire_format_is_postcard() {
    for blocks in [
        vec![],
        vec![vec![]],
        fake_blocks(3, |h| h * 200),
        fake_blocks(130, |h| h),
        vec![vec![1; 70_000]],
    ] {
        let ours = codec::encode_blocks(&blocks);
        assert_eq!(ours, postcard::to_stdvec(&blocks).unwrap());
        assert_eq!(ours.len(), codec::encoded_blocks_len(&blocks));
        assert_eq!(
            codec::decode_blocks(&ours, 1024, 1 << 20).unwrap(),
            blocks,
            "round trip"
        );
    }
}

/// A reader that hands out at most one byte per read: what a slow peer's stream looks like.
struct Trickle(Cursor<Vec<u8>>);

impl libp2p::futures::AsyncRead for Trickle {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut [u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let n = buf.len().min(1);
        std::pin::Pin::new(&mut self.0).poll_read(cx, &mut buf[..n])
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn blocks_are_written_and_read_as_one_postcard_frame_in_pieces() {
    for blocks in [
        vec![],
        vec![vec![]],
        fake_blocks(3, |h| h * 200),
        // Crosses many write chunks, and one block larger than a chunk.
        fake_blocks(200, |h| h * 10),
        vec![vec![1; 70_000], vec![2; 10]],
    ] {
        let mut written = Cursor::new(Vec::new());
        codec::write_blocks(&mut written, &blocks, 1 << 20)
            .await
            .unwrap();
        let mut frame = (codec::encoded_blocks_len(&blocks) as u32)
            .to_be_bytes()
            .to_vec();
        frame.extend(codec::encode_blocks(&blocks));
        assert_eq!(written.into_inner(), frame);
        // Read back a byte at a time, as from a slow stream.
        let mut slow = Trickle(Cursor::new(frame.clone()));
        let read = codec::read_blocks(&mut slow, 1 << 20, 1024, 1 << 20)
            .await
            .unwrap();
        assert_eq!(read, blocks);
        // The stream ends inside the frame: an EOF that says where.
        if frame.len() > 5 {
            let cut = frame[..frame.len() - 1].to_vec();
            let err = codec::read_blocks(&mut Cursor::new(cut), 1 << 20, 1024, 1 << 20)
                .await
                .unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof, "{err}");
            assert!(err.to_string().contains("message ended after"), "{err}");
        }
    }
    // Writing over the cap is refused before anything is written.
    let mut written = Cursor::new(Vec::new());
    let err = codec::write_blocks(&mut written, &fake_blocks(3, |_| 100), 100)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(written.into_inner().is_empty());
}

#[test]
fn blocks_decoding_enforces_limits() {
    let ok = codec::encode_blocks(&fake_blocks(4, |_| 100));
    assert!(codec::decode_blocks(&ok, 4, 100).is_ok());
    // Too many blocks, too large a block.
    assert!(
        codec::decode_blocks(&ok, 3, 100)
            .unwrap_err()
            .contains("blocks in one response")
    );
    assert!(
        codec::decode_blocks(&ok, 4, 99)
            .unwrap_err()
            .contains("limit 99")
    );
    // A block claiming more bytes than are left: refused before copying.
    let mut lying = vec![1];
    lying.extend_from_slice(&[0xff, 0xff, 0xff, 0x7f]);
    lying.extend_from_slice(&[0; 10]);
    assert!(codec::decode_blocks(&lying, 4, usize::MAX).is_err());
    // A count of 2^28 blocks with nothing behind it.
    assert!(codec::decode_blocks(&[0x80, 0x80, 0x80, 0x80, 0x01], 1024, 100).is_err());
    // Trailing bytes, truncation, a non-canonical varint, a varint too long.
    let mut trailing = ok.clone();
    trailing.push(0);
    assert!(
        codec::decode_blocks(&trailing, 4, 100)
            .unwrap_err()
            .contains("trailing")
    );
    assert!(codec::decode_blocks(&ok[..ok.len() - 1], 4, 100).is_err());
    assert!(codec::decode_blocks(&[0x81, 0x00, 0x00], 4, 100).is_err());
    assert!(codec::decode_blocks(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00], 4, 100).is_err());
    assert!(codec::decode_blocks(&[], 4, 100).is_err());
}
