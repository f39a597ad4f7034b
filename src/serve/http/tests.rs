//! Unit tests of serve's request reading: client addresses, tokens, scopes.

use super::request::percent_decode;
use super::*;

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    h
}

#[test]
fn the_client_ip_believes_one_header_and_only_from_trusted_proxies() {
    let xff = ClientIpHeader::Forwarded;
    let trusted = vec!["10.0.0.0/8".parse().unwrap()];
    let h = headers(&[
        ("x-forwarded-for", "203.0.113.9, 198.51.100.7"),
        ("x-forwarded-for", "10.0.0.5"),
        ("x-real-ip", "192.0.2.99"),
    ]);
    let direct: IpAddr = "192.0.2.1".parse().unwrap();
    assert_eq!(
        client_ip(Peer::Tcp(direct), &h, &trusted, &xff),
        Ok(Some(direct))
    );
    let proxy: IpAddr = "10.1.1.1".parse().unwrap();
    // The right-most address not a trusted proxy; X-Real-IP is ignored by default.
    assert_eq!(
        client_ip(Peer::Tcp(proxy), &h, &trusted, &xff),
        Ok(Some("198.51.100.7".parse().unwrap()))
    );
    let real = ClientIpHeader::parse("X-Real-IP").unwrap();
    assert_eq!(
        client_ip(Peer::Tcp(proxy), &h, &trusted, &real),
        Ok(Some("192.0.2.99".parse().unwrap()))
    );
    assert_eq!(
        client_ip(
            Peer::Unix,
            &headers(&[("x-forwarded-for", "203.0.113.50")]),
            &[],
            &xff
        ),
        Ok(Some("203.0.113.50".parse().unwrap()))
    );
    assert_eq!(
        client_ip(Peer::Unix, &HeaderMap::new(), &[], &xff),
        Ok(None)
    );
    // A forged X-Real-IP from a client that is not a proxy changes nothing.
    assert_eq!(
        client_ip(
            Peer::Tcp(direct),
            &headers(&[("x-real-ip", "10.0.0.1")]),
            &trusted,
            &real
        ),
        Ok(Some(direct))
    );
    // From a trusted proxy, a header that cannot be believed is malformed, never the
    // proxy's own address: repeated, empty, or not an address.
    for bad in [
        vec![("x-real-ip", "192.0.2.1"), ("x-real-ip", "192.0.2.2")],
        vec![("x-real-ip", "")],
        vec![("x-real-ip", "not-an-ip")],
    ] {
        assert_eq!(
            client_ip(Peer::Tcp(proxy), &headers(&bad), &trusted, &real),
            Err(BadClientIp),
            "{bad:?}"
        );
    }
    for bad in ["", "garbage", "203.0.113.9, , 10.0.0.5", "203.0.113.9,junk"] {
        assert_eq!(
            client_ip(
                Peer::Tcp(proxy),
                &headers(&[("x-forwarded-for", bad)]),
                &trusted,
                &xff
            ),
            Err(BadClientIp),
            "{bad:?}"
        );
    }
}

#[test]
fn ipv4_mapped_addresses_are_the_ipv4_address() {
    let xff = ClientIpHeader::Forwarded;
    let trusted = vec!["127.0.0.1/32".parse().unwrap()];
    let mapped: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
    let h = headers(&[("x-forwarded-for", "::ffff:203.0.113.4")]);
    // The connection is canonicalised where it is accepted; the header here.
    assert_eq!(
        client_ip(
            Peer::Tcp(crate::model::canonical_ip(mapped)),
            &h,
            &trusted,
            &xff
        ),
        Ok(Some("203.0.113.4".parse().unwrap()))
    );
}

#[test]
fn tokens_come_from_x_api_key_or_bearer_and_duplicates_are_malformed() {
    assert_eq!(token(&headers(&[("x-api-key", " t ")])), Ok("t"));
    assert_eq!(token(&headers(&[("authorization", "Bearer t")])), Ok("t"));
    assert!(token(&headers(&[("authorization", "Basic dDp0")])).is_err());
    assert_eq!(token(&HeaderMap::new()), Err(Paste::Empty));
    assert!(token(&headers(&[("x-api-key", "a"), ("x-api-key", "b")])).is_err());
}

#[test]
fn scopes_come_from_the_header_and_the_query() {
    let h = headers(&[("x-required-scope", "a, b")]);
    assert_eq!(
        required_scopes(&h, Some("scope=c%3Aread&x=1&scope=a")),
        (vec!["a".to_string(), "b".into(), "c:read".into()], false)
    );
    assert_eq!(percent_decode("%zz"), None);
    assert_eq!(percent_decode("a%"), None);
    assert_eq!(percent_decode("%+1"), None);
    // A scope that cannot be decoded is flagged, never dropped.
    assert!(required_scopes(&HeaderMap::new(), Some("scope=%ff")).1);
    assert!(required_scopes(&HeaderMap::new(), Some("scope=%f")).1);
    let mut raw = HeaderMap::new();
    raw.append(
        "x-required-scope",
        HeaderValue::from_bytes(b"\xff").unwrap(),
    );
    assert!(required_scopes(&raw, None).1);
}

#[test]
fn header_text_escapes_what_could_break_a_header() {
    assert_eq!(header_text("ci-deploy"), "ci-deploy");
    assert_eq!(header_text("a\r\nb"), "a%0D%0Ab");
    assert_eq!(header_text("é"), "%C3%A9");
}

#[test]
fn header_text_is_what_hyper_reads_as_text_and_names_match_in_any_case() {
    // Every byte, between two letters: the fast lane's reading of a value is hyper's.
    for b in 0..=255u8 {
        let v = [b'a', b, b'z'];
        let hyper = HeaderValue::from_bytes(&v)
            .ok()
            .and_then(|h| h.to_str().ok().map(str::to_string));
        assert_eq!(request::text(&v).map(str::to_string), hyper, "byte {b}");
    }
    let sent = [
        httparse::Header {
            name: "X-API-KEY",
            value: b"one",
        },
        httparse::Header {
            name: "x-api-keys",
            value: b"not it",
        },
        httparse::Header {
            name: "x-Api-Key",
            value: b"two",
        },
    ];
    let raw = Raw(&sent);
    let name = HeaderName::from_static("x-api-key");
    let values: Vec<&[u8]> = raw.values(&name).collect();
    assert_eq!(values, [b"one".as_slice(), b"two"]);
    assert_eq!(raw.values(&name).next_back(), Some(b"two".as_slice()));
}
