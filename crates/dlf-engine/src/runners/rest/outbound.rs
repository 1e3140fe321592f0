//! The outbound policy of Rest Client nodes: which addresses a node's request may reach.
//!
//! A Rest Client node is a tenant's request sent from the server's network position, so left
//! alone it could reach what only the server should: a cloud metadata service (instance
//! credentials), a link-local management interface. The operator lists the networks nodes may
//! reach (`--rest-allowed-network`, default: any); on top of that the link-local and metadata
//! ranges ([`ALWAYS_BLOCKED`]) are refused unless the operator names them **explicitly**: an
//! allowed entry at least as specific as the blocked range (`169.254.0.0/16`,
//! `169.254.169.254/32`), never a catch-all such as `0.0.0.0/0`.
//!
//! What is checked is the **resolved address**, never the host name: the node's HTTP client
//! resolves names through [`PolicyResolver`], which drops every address the policy refuses,
//! so a name that resolves (or re-resolves, DNS rebinding) to a refused address connects to
//! nothing. A URL with a literal IP address is checked before anything is sent, and so is the
//! target of every redirect (a redirect to a name goes through the resolver again). The client
//! uses no proxy (a proxy would resolve the name itself, out of the policy's reach).

use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

/// Ranges refused unless an allowed entry names them explicitly: IPv4 link-local (which
/// holds the common cloud metadata address 169.254.169.254), IPv6 link-local, and AWS's IPv6
/// metadata address.
pub const ALWAYS_BLOCKED: &[&str] = &["169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128"];

/// The setting that opens a refused address, named in every refusal.
pub const SETTING: &str = "rest_allowed_networks (--rest-allowed-network)";

/// Which addresses Rest Client nodes may reach (see the module docs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutboundPolicy {
    /// The networks nodes may reach; empty: any (but [`ALWAYS_BLOCKED`]).
    pub allowed: Vec<IpNet>,
}

impl OutboundPolicy {
    /// A policy from CIDR strings (`10.0.0.0/8`, `2001:db8::/32`; a bare address is a /32 or
    /// /128).
    pub fn parse(entries: &[String]) -> Result<OutboundPolicy, String> {
        let mut allowed = Vec::new();
        for entry in entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
            let net = entry
                .parse::<IpNet>()
                .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("'{entry}' is not a network in CIDR notation (such as 10.0.0.0/8)"))?;
            allowed.push(net);
        }
        Ok(OutboundPolicy { allowed })
    }

    /// `None` when `ip` may be reached, else why not.
    pub fn refusal(&self, ip: IpAddr) -> Option<String> {
        let ip = canonical(ip);
        let blocked = ALWAYS_BLOCKED.iter().filter_map(|b| b.parse::<IpNet>().ok()).find(|b| b.contains(&ip));
        if let Some(range) = blocked {
            let explicit = self.allowed.iter().any(|a| a.contains(&ip) && a.prefix_len() >= range.prefix_len());
            if !explicit {
                return Some(format!(
                    "the address {ip} is in {range}, link-local and cloud metadata addresses that Rest Client \
                     nodes may not reach unless the server's setting {SETTING} names them explicitly"
                ));
            }
            return None;
        }
        if !self.allowed.is_empty() && !self.allowed.iter().any(|a| a.contains(&ip)) {
            return Some(format!(
                "the address {ip} is outside the networks the server's setting {SETTING} allows ({})",
                self.allowed.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
            ));
        }
        None
    }
}

/// An IPv4 address written as IPv6 (`::ffff:169.254.169.254`) is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// A refusal, kept where the node can find it after the client's error (which buries the
/// resolver's reason in its chain).
pub type Refusals = Arc<Mutex<Option<String>>>;

/// The node's DNS resolver: the system's, minus the addresses the policy refuses.
pub struct PolicyResolver {
    pub policy: Arc<OutboundPolicy>,
    pub refusals: Refusals,
}

impl reqwest::dns::Resolve for PolicyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy.clone();
        let refusals = self.refusals.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut allowed = Vec::new();
            let mut refused = None;
            for addr in found {
                match policy.refusal(addr.ip()) {
                    None => allowed.push(addr),
                    Some(reason) => refused = refused.or(Some(reason)),
                }
            }
            if allowed.is_empty() {
                let reason = match refused {
                    Some(reason) => format!("'{host}' resolves to no address a node may reach: {reason}"),
                    None => format!("'{host}' resolves to no address"),
                };
                *refusals.lock().expect("lock") = Some(reason.clone());
                return Err(reason.into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

/// The literal IP address of a URL's host, if it is one.
pub fn literal_ip(url: &reqwest::Url) -> Option<IpAddr> {
    let host = url.host_str()?;
    host.trim_start_matches('[').trim_end_matches(']').parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn metadata_addresses_are_refused_by_default() {
        let any = OutboundPolicy::default();
        for refused in ["169.254.169.254", "169.254.0.1", "fe80::1", "fd00:ec2::254", "::ffff:169.254.169.254"] {
            let reason = any.refusal(ip(refused)).unwrap_or_else(|| panic!("{refused} is reachable"));
            assert!(reason.contains(SETTING), "{reason}");
        }
        for reachable in ["127.0.0.1", "10.1.2.3", "8.8.8.8", "::1", "fd00:ec2::253"] {
            assert_eq!(any.refusal(ip(reachable)), None, "{reachable}");
        }
    }

    #[test]
    fn an_allowlist_limits_and_only_an_explicit_entry_opens_metadata() {
        let policy = OutboundPolicy::parse(&["10.0.0.0/8".into(), "0.0.0.0/0".into()]).unwrap();
        assert!(policy.refusal(ip("169.254.169.254")).is_some(), "a catch-all does not open metadata");
        let policy = OutboundPolicy::parse(&["10.0.0.0/8".into(), "169.254.169.254".into()]).unwrap();
        assert_eq!(policy.refusal(ip("169.254.169.254")), None);
        assert_eq!(policy.refusal(ip("10.200.0.1")), None);
        let outside = policy.refusal(ip("192.168.1.1")).unwrap();
        assert!(outside.contains("10.0.0.0/8"), "{outside}");
        assert!(OutboundPolicy::parse(&["10.0.0.0/33".into()]).is_err());
        assert!(OutboundPolicy::parse(&["intranet".into()]).is_err());
    }
}
