//! Who may call: the source networks callbacks are accepted from (bunq's
//! 185.40.108.0/22 by default) and the proxies (Traefik) whose forwarded
//! headers are believed. A forwarded header from any other peer is
//! ignored, so a caller cannot claim an address it does not have.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// bunq's production callback network.
pub const BUNQ_CALLBACK_NETWORK: &str = "185.40.108.0/22";

/// A list of networks, parsed once at start.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Networks(Vec<IpNet>);

impl Networks {
    /// Parses a comma-separated list of CIDR networks or single addresses
    /// (`185.40.108.0/22, 10.0.0.7`); blank means none.
    ///
    /// # Errors
    /// The first entry that is neither, named.
    pub fn parse(list: &str) -> Result<Self, String> {
        let entries = list.split(',').map(str::trim).filter(|e| !e.is_empty());
        entries
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{entry:?} is not a CIDR network or an IP address"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// Whether `ip` is in one of the networks (an IPv4-mapped IPv6
    /// address counts as its IPv4 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Display for Networks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&shown.join(","))
    }
}

/// The two lists together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trust {
    /// Where callbacks may come from.
    pub allowed: Networks,
    /// Direct peers whose forwarded headers are read.
    pub proxies: Networks,
}

impl Trust {
    /// The caller's address: the direct peer, or, when the peer is a
    /// trusted proxy, the address the forwarded headers give.
    pub fn client_ip(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.ip().to_canonical();
        if !self.proxies.contains(peer) {
            return peer;
        }
        // Traefik appends to X-Forwarded-For and overwrites X-Real-IP, but
        // passes a caller's `Forwarded` through untouched: that one is read
        // only when neither of the others is there.
        self.x_forwarded_for(headers)
            .or_else(|| single_ip(headers, "x-real-ip"))
            .or_else(|| self.forwarded_for(headers))
            .unwrap_or(peer)
    }

    /// Whether a callback from `peer` with `headers` may be handled.
    pub fn allows(&self, peer: SocketAddr, headers: &HeaderMap) -> bool {
        self.allowed.contains(self.client_ip(peer, headers))
    }

    /// `X-Forwarded-For: client, proxy1, proxy2`: walking from the right,
    /// the first address that is not a trusted proxy. Entries further left
    /// were written by the caller and prove nothing.
    fn x_forwarded_for(&self, headers: &HeaderMap) -> Option<IpAddr> {
        let hops = header_values(headers, "x-forwarded-for").flat_map(|v| {
            v.split(',')
                .map(str::trim)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        });
        self.rightmost_untrusted(hops.collect())
    }

    /// RFC 7239 `Forwarded: for=1.2.3.4;proto=https, for="[2001:db8::1]:80"`,
    /// read the same way.
    fn forwarded_for(&self, headers: &HeaderMap) -> Option<IpAddr> {
        let mut hops = Vec::new();
        for value in header_values(headers, "forwarded") {
            for element in value.split(',') {
                let node = element.split(';').find_map(|pair| {
                    let (key, value) = pair.split_once('=')?;
                    key.trim().eq_ignore_ascii_case("for").then(|| value.trim())
                });
                hops.push(node.map(forwarded_node).unwrap_or_default());
            }
        }
        self.rightmost_untrusted(hops)
    }

    fn rightmost_untrusted(&self, hops: Vec<String>) -> Option<IpAddr> {
        for hop in hops.iter().rev() {
            // A hop we cannot read ends the walk: what lies beyond it is
            // not vouched for by a proxy we trust.
            let ip = parse_ip(hop)?;
            if !self.proxies.contains(ip) {
                return Some(ip);
            }
        }
        None
    }
}

/// The values of a header that may be repeated, as text.
fn header_values<'a>(headers: &'a HeaderMap, name: &str) -> impl Iterator<Item = &'a str> {
    headers.get_all(name).iter().filter_map(|v| v.to_str().ok())
}

/// A header holding one address (`X-Real-IP`).
fn single_ip(headers: &HeaderMap, name: &str) -> Option<IpAddr> {
    let mut values = header_values(headers, name);
    let first = values.next()?;
    // Two values mean someone added one: believe neither.
    if values.next().is_some() {
        return None;
    }
    parse_ip(first)
}

/// A `Forwarded` node without quotes, brackets or port.
fn forwarded_node(node: &str) -> String {
    let node = node.trim_matches('"');
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default().to_owned();
    }
    match node.split_once(':') {
        // One colon: IPv4 with a port. More: a bare IPv6 address.
        Some((host, port)) if !port.contains(':') => host.to_owned(),
        _ => node.to_owned(),
    }
}

fn parse_ip(text: &str) -> Option<IpAddr> {
    text.trim()
        .parse::<IpAddr>()
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn trust(proxies: &str) -> Trust {
        Trust {
            allowed: Networks::parse(BUNQ_CALLBACK_NETWORK).expect("valid"),
            proxies: Networks::parse(proxies).expect("valid"),
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn peer(ip: &str) -> SocketAddr {
        SocketAddr::new(ip.parse().expect("ip"), 40_000)
    }

    #[test]
    fn networks_take_cidrs_and_single_addresses_and_name_a_bad_entry() {
        let networks = Networks::parse("185.40.108.0/22, 10.0.0.7,,::1").expect("valid");

        assert!(networks.contains("185.40.111.255".parse().expect("ip")));
        assert!(!networks.contains("185.40.112.0".parse().expect("ip")));
        assert!(networks.contains("10.0.0.7".parse().expect("ip")));
        assert!(networks.contains("::ffff:10.0.0.7".parse().expect("ip")));
        let err = Networks::parse("10.0.0.0/8, bunq").expect_err("bad entry");
        assert!(err.contains("\"bunq\""), "{err}");
    }

    #[test]
    fn forwarded_headers_from_an_untrusted_peer_are_ignored() {
        let trust = trust("");
        let spoof = headers(&[
            ("x-forwarded-for", "185.40.108.1"),
            ("x-real-ip", "185.40.108.1"),
            ("forwarded", "for=185.40.108.1"),
        ]);

        assert_eq!(
            trust.client_ip(peer("203.0.113.9"), &spoof),
            "203.0.113.9".parse::<IpAddr>().expect("ip")
        );
        assert!(!trust.allows(peer("203.0.113.9"), &spoof));
    }

    #[test]
    fn a_trusted_proxy_is_believed_from_the_right_and_skipped() {
        let trust = trust("172.18.0.0/16");
        let chain = headers(&[("x-forwarded-for", "185.40.108.1, 203.0.113.9, 172.18.0.5")]);

        // The caller wrote 185.40.108.1 itself; the proxy saw 203.0.113.9.
        assert_eq!(
            trust.client_ip(peer("172.18.0.2"), &chain),
            "203.0.113.9".parse::<IpAddr>().expect("ip")
        );
        let real = headers(&[("x-forwarded-for", "185.40.109.20")]);
        assert!(trust.allows(peer("172.18.0.2"), &real));
    }

    #[test]
    fn forwarded_and_x_real_ip_are_read_behind_a_trusted_proxy() {
        let trust = trust("10.0.0.1");
        let rfc = headers(&[("forwarded", "for=\"[2001:db8::1]:443\";proto=https")]);
        let with_port = headers(&[("forwarded", "for=185.40.108.9:5000")]);
        let real = headers(&[("x-real-ip", "185.40.108.7")]);

        assert_eq!(
            trust.client_ip(peer("10.0.0.1"), &rfc),
            "2001:db8::1".parse::<IpAddr>().expect("ip")
        );
        assert!(trust.allows(peer("10.0.0.1"), &with_port));
        assert!(trust.allows(peer("10.0.0.1"), &real));
    }

    #[test]
    fn a_trusted_proxy_without_headers_is_itself_the_caller() {
        let trust = trust("10.0.0.1");

        assert!(!trust.allows(peer("10.0.0.1"), &HeaderMap::new()));
    }
}
