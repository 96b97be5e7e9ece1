//! The client's address behind reverse proxies (issue 24, V2.2.1, P2). Behind the TLS proxy the
//! README asks for, every request comes from the proxy's address, so per-address limits would
//! be site-wide. Only when the socket peer is a proxy the deployment trusts
//! (`SELFCARE_TRUSTED_PROXIES`, CIDR list, default none) are `X-Forwarded-For` and `Forwarded`
//! read, from the right: the first hop that is not a trusted proxy is the client. A header a
//! client wrote itself is never believed, because its own hop is appended after it.

use std::net::IpAddr;

use http::HeaderMap;

/// The networks whose addresses are reverse proxies of this deployment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// None: the socket peer is the client (the default).
    pub fn none() -> TrustedProxies {
        TrustedProxies(Vec::new())
    }

    /// Parses `10.0.0.0/8, 192.0.2.7, ::1/128`; the error names the entry that is not a
    /// network.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        let mut networks = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (addr, prefix) = match entry.split_once('/') {
                Some((addr, prefix)) => (addr, Some(prefix)),
                None => (entry, None),
            };
            let addr: IpAddr = addr.parse().map_err(|_| entry.to_string())?;
            let addr = addr.to_canonical();
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let prefix = match prefix {
                Some(p) => p
                    .parse::<u8>()
                    .ok()
                    .filter(|p| *p <= max)
                    .ok_or(entry.to_string())?,
                None => max,
            };
            networks.push((addr, prefix));
        }
        Ok(TrustedProxies(networks))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `ip` is in one of the networks.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|(net, prefix)| match (net, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                same_prefix(u32::from(*net).into(), u32::from(ip).into(), *prefix, 32)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                same_prefix(u128::from(*net), u128::from(ip), *prefix, 128)
            }
            _ => false,
        })
    }
}

fn same_prefix(a: u128, b: u128, prefix: u8, bits: u32) -> bool {
    let shift = bits - u32::from(prefix);
    if shift >= bits {
        return true;
    }
    (a >> shift) == (b >> shift)
}

/// The client's address: the socket peer, or, when the peer is a trusted proxy, the right-most
/// hop of the forwarding headers that is not one. A hop that is not an address (`unknown`, an
/// obfuscated name) ends the walk at the last proxy: its whole traffic then shares one address.
pub fn client_addr(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let peer = peer.to_canonical();
    if !trusted.contains(peer) {
        return peer;
    }
    let mut last = peer;
    for hop in forwarded_hops(headers).into_iter().rev() {
        match hop {
            Some(ip) if trusted.contains(ip) => last = ip,
            Some(ip) => return ip,
            None => return last,
        }
    }
    last
}

/// The hops of `Forwarded` (RFC 7239 `for=`), else of `X-Forwarded-For`, in order (client
/// first); `None` for a hop that is not an address.
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let forwarded: Vec<Option<IpAddr>> = headers
        .get_all(http::header::FORWARDED)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.trim().split_once('=')?;
                key.eq_ignore_ascii_case("for")
                    .then(|| forwarded_for(value))
            })
        })
        .collect();
    if !forwarded.is_empty() {
        return forwarded;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|hop| {
            hop.trim()
                .parse::<IpAddr>()
                .ok()
                .map(|ip| ip.to_canonical())
        })
        .collect()
}

/// The address of a `for=` value: `192.0.2.60`, `"[2001:db8::1]:4711"`, `192.0.2.60:80`.
fn forwarded_for(value: &str) -> Option<IpAddr> {
    let value = value.trim().trim_matches('"');
    if let Some(rest) = value.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    let host = match value.split_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => value,
    };
    host.parse::<IpAddr>().ok().map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, http::HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn networks_parse_and_match() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 192.0.2.7, 2001:db8::/32").expect("list");
        assert!(trusted.contains(ip("10.1.2.3")));
        assert!(trusted.contains(ip("192.0.2.7")));
        assert!(!trusted.contains(ip("192.0.2.8")));
        assert!(trusted.contains(ip("2001:db8::1")));
        assert!(trusted.contains(ip("::ffff:10.9.9.9")), "IPv4-mapped");
        assert!(!trusted.contains(ip("2001:db9::1")));
        assert!(
            TrustedProxies::parse("0.0.0.0/0")
                .expect("all")
                .contains(ip("203.0.113.9"))
        );
        assert!(TrustedProxies::parse("").expect("none").is_empty());
        for bad in ["10.0.0.0/33", "proxy.example", "10.0.0/8", "::1/129"] {
            assert!(TrustedProxies::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarding_headers_count_only_behind_a_trusted_proxy() {
        let proxy = ip("10.0.0.2");
        let spoofed = headers(&[("x-forwarded-for", "198.51.100.1")]);
        // No trusted proxy: the peer, whatever the headers say.
        assert_eq!(client_addr(proxy, &spoofed, &TrustedProxies::none()), proxy);
        let trusted = TrustedProxies::parse("10.0.0.0/8").expect("list");
        // A client that is not a proxy cannot choose its address.
        assert_eq!(
            client_addr(ip("203.0.113.5"), &spoofed, &trusted),
            ip("203.0.113.5")
        );
        // Behind the proxy: the right-most untrusted hop, not what the client prepended.
        let through = headers(&[("x-forwarded-for", "198.51.100.1, 203.0.113.5, 10.0.0.9")]);
        assert_eq!(client_addr(proxy, &through, &trusted), ip("203.0.113.5"));
        let split = headers(&[
            ("x-forwarded-for", "198.51.100.1"),
            ("x-forwarded-for", "203.0.113.6"),
        ]);
        assert_eq!(client_addr(proxy, &split, &trusted), ip("203.0.113.6"));
        // RFC 7239 first, with ports, quotes and IPv6.
        let forwarded = headers(&[(
            "forwarded",
            "for=198.51.100.1;proto=https, for=\"[2001:db8:cafe::17]:4711\"",
        )]);
        assert_eq!(
            client_addr(proxy, &forwarded, &trusted),
            ip("2001:db8:cafe::17")
        );
        let port = headers(&[("forwarded", "for=203.0.113.7:80")]);
        assert_eq!(client_addr(proxy, &port, &trusted), ip("203.0.113.7"));
        // An unreadable hop: the proxy's own address.
        let unknown = headers(&[("x-forwarded-for", "203.0.113.5, unknown")]);
        assert_eq!(client_addr(proxy, &unknown, &trusted), proxy);
        // No header: the proxy.
        assert_eq!(client_addr(proxy, &HeaderMap::new(), &trusted), proxy);
    }
}
