//! A web origin (`scheme://host[:port]`), as `connection.cors.origins`, `--allow-origin` and the
//! `Origin` header write it: parsed once here, so the catalog's lint and serve's check agree.

/// A web origin: scheme, host and port (the default port of the scheme when not written).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// Parse `https://dash.example.com` or `http://127.0.0.1:5173` (a trailing `/` is allowed;
    /// a path, query, user or other scheme is not).
    pub fn parse(text: &str) -> Result<Origin, String> {
        let bad =
            |why: &str| format!("`{text}` is not an origin ({why}); write scheme://host[:port]");
        let (scheme, rest) = text.split_once("://").ok_or_else(|| bad("no scheme"))?;
        let scheme = scheme.to_ascii_lowercase();
        let default =
            default_port(&scheme).ok_or_else(|| bad("the scheme is not http or https"))?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.is_empty() || rest.contains(['/', '?', '#', '@']) {
            return Err(bad("only scheme, host and port"));
        }
        let (host, port) = split_host_port(rest).ok_or_else(|| bad("bad port"))?;
        if host.is_empty() {
            return Err(bad("no host"));
        }
        Ok(Origin {
            scheme,
            host: host.to_ascii_lowercase(),
            port: port.unwrap_or(default),
        })
    }

    /// Whether this origin is the server's own, as the request's `Host` header names it.
    pub fn same_as_host(&self, host_header: &str) -> bool {
        match split_host_port(host_header) {
            Some((host, port)) => {
                host.eq_ignore_ascii_case(&self.host)
                    && port.unwrap_or(default_port(&self.scheme).unwrap_or(80)) == self.port
            }
            None => false,
        }
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        match default_port(&self.scheme) {
            Some(p) if p == self.port => write!(f, "{}://{host}", self.scheme),
            _ => write!(f, "{}://{host}:{}", self.scheme, self.port),
        }
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

/// `host`, `host:port`, `[v6]`, `[v6]:port`; `None` when the port is not a number.
fn split_host_port(s: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if let Some(v6) = s.strip_prefix('[') {
        let (inside, after) = v6.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return None,
        };
        (inside, port)
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    let port = match port {
        Some(p) => Some(p.parse().ok()?),
        None => None,
    };
    Some((host, port))
}
