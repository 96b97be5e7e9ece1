//! Configuration from the environment (P2). A bad value stops the server with a message that
//! names the variable, the value and what was expected.

use std::{fmt, net::SocketAddr, path::PathBuf, time::Duration};

use std::sync::Arc;

use app::backend::{client_addr::TrustedProxies, clock::Clock, sealed::DataKeys};
use chrono::NaiveDate;

/// Everything the server reads from its environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `DATABASE_URL`: the PostgreSQL connection string (required).
    pub database_url: String,
    /// `SELFCARE_ADDR`: where to listen (default `127.0.0.1:3000`).
    pub addr: SocketAddr,
    /// `SELFCARE_TODAY`: pins "today" (`YYYY-MM-DD`) for demos and tests (P5).
    pub today: Option<NaiveDate>,
    /// `SELFCARE_SITE_ROOT`: the folder with `pkg/` and the public assets (default `.build/site`).
    pub site_root: PathBuf,
    /// `SELFCARE_PROVIDER`: the slug of the provider this deployment serves (default `lumen`).
    pub provider_slug: String,
    /// `SELFCARE_SECURE_COOKIES`: `true` behind TLS (`Secure`, `__Host-` cookie prefix).
    pub secure_cookies: bool,
    /// `SELFCARE_DEMO_DATA`: `true` loads the demo households at start (idempotent).
    pub demo_data: bool,
    /// `SELFCARE_LOG_FORMAT`: `text` (default) or `json`.
    pub log_json: bool,
    /// `SELFCARE_BENCH_ROUTE`: `true` adds `/bench/bare`, a static Leptos page the server
    /// benchmark compares the portal's pages with (`scripts/bench`); off by default.
    pub bench_route: bool,
    /// `SELFCARE_DB_POOL_SIZE`: the most connections to PostgreSQL this instance holds
    /// (default 16, see `DEFAULT_DB_POOL_SIZE`).
    pub db_pool_size: u32,
    /// `SELFCARE_HSTS_MAX_AGE`: the `max-age` in seconds of `Strict-Transport-Security`, sent
    /// only with `SELFCARE_SECURE_COOKIES=true` (default one year; 0 tells browsers to forget).
    pub hsts_max_age: u64,
    /// `SELFCARE_TRUSTED_PROXIES`: the reverse proxies (CIDR list, default none) whose
    /// `X-Forwarded-For`/`Forwarded` headers name the client, for per-address limits.
    pub trusted_proxies: TrustedProxies,
    /// `SELFCARE_HEADER_TIMEOUT_SECS` (default 10) and `SELFCARE_BODY_TIMEOUT_SECS` (default
    /// 30): how long a client may take to send its request headers (or idle between two
    /// requests), and between two parts of a request body (issue 24).
    pub timeouts: crate::listen::Timeouts,
    /// `SELFCARE_DATA_KEY`: the keys that seal IBANs and two-factor secrets at rest
    /// (`<id>:<64 hex digits>`, comma-separated, the first sealing; issue 24 item 15).
    /// Required unless `SELFCARE_DEMO_DATA=true`, which falls back to the public demo key.
    pub data_key: Option<DataKeySpec>,
    /// `SELFCARE_SMTP_URL`: the SMTP server mails go through (`smtps://user:pass@host:465`,
    /// `smtp://user:pass@host:587?tls=required`; issue 27). Unset: mails go to the log and, with
    /// the demo data, to `/dev/mailbox`.
    pub smtp_url: Option<SmtpUrl>,
    /// `SELFCARE_MAIL_FROM`: the sender of mails, `Name <address>` (required with
    /// `SELFCARE_SMTP_URL`).
    pub mail_from: String,
    /// `SELFCARE_PUBLIC_URL`: the portal's address as customers reach it, for links in mails
    /// (default `http://` and `SELFCARE_ADDR`).
    pub public_url: String,
    /// `SELFCARE_PER_ADDRESS_BURST`: calls of the secret-checking endpoints one client address
    /// may make at once (then one every 2 s; default 30). The browser tests, whose every call
    /// comes from 127.0.0.1, raise it; the limiter itself is tested over HTTP.
    pub per_address_burst: u32,
    /// `SELFCARE_WEBHOOK_URL` and `SELFCARE_WEBHOOK_SECRET`: where the provider's events are
    /// POSTed, signed with the secret (issue 28). Unset: events are only read with
    /// `GET /provider/v1/events`.
    pub webhook: Option<WebhookTarget>,
}

/// The provider's webhook endpoint and its signing secret (never printed).
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookTarget {
    pub url: String,
    pub secret: String,
}

impl fmt::Debug for WebhookTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebhookTarget({}, secret ..)", self.url)
    }
}

/// The text of `SELFCARE_SMTP_URL`, which may carry a password: never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl(pub String);

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SmtpUrl(..)")
    }
}

/// The text of `SELFCARE_DATA_KEY`, checked, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKeySpec(String);

impl fmt::Debug for DataKeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKeySpec(..)")
    }
}

/// What `SELFCARE_DATA_KEY` must look like.
const DATA_KEY_EXPECTED: &str = "<id>:<64 hex digits>, comma-separated, the first sealing \
    (id 1 to 255; `selfcare-server new-data-key` makes one); required unless \
    SELFCARE_DEMO_DATA=true";

/// `Strict-Transport-Security: max-age` unless `SELFCARE_HSTS_MAX_AGE` says otherwise.
pub const DEFAULT_HSTS_MAX_AGE: u64 = 31_536_000;

/// Connections to PostgreSQL an instance holds unless `SELFCARE_DB_POOL_SIZE` says otherwise.
pub const DEFAULT_DB_POOL_SIZE: u32 = 16;

/// A configuration value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub value: String,
    pub expected: &'static str,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.is_empty() {
            write!(
                f,
                "{} is not set; expected {}",
                self.variable, self.expected
            )
        } else {
            write!(
                f,
                "{}={:?} is not valid; expected {}",
                self.variable, self.value, self.expected
            )
        }
    }
}

impl std::error::Error for ConfigError {}

fn parse_bool(variable: &'static str, value: Option<String>) -> Result<bool, ConfigError> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(false),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(ConfigError {
            variable,
            value: other.to_string(),
            expected: "true or false",
        }),
    }
}

impl Config {
    /// The clock: pinned to `SELFCARE_TODAY` when set, the system's otherwise (P5).
    pub fn clock(&self) -> Clock {
        self.today.map_or_else(Clock::system, Clock::pinned)
    }

    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let database_url = lookup("DATABASE_URL")
            .filter(|v| !v.trim().is_empty())
            .ok_or(ConfigError {
                variable: "DATABASE_URL",
                value: String::new(),
                expected: "a PostgreSQL URL such as postgres://user@127.0.0.1:5432/selfcare \
                           (the README's run command starts a private PostgreSQL when it is unset)",
            })?;
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(ConfigError {
                variable: "DATABASE_URL",
                value: database_url,
                expected: "a URL starting with postgres:// or postgresql://",
            });
        }
        let addr = match lookup("SELFCARE_ADDR").filter(|v| !v.trim().is_empty()) {
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
            Some(raw) => raw.trim().parse().map_err(|_| ConfigError {
                variable: "SELFCARE_ADDR",
                value: raw,
                expected: "an address and port such as 127.0.0.1:3000",
            })?,
        };
        let today = match lookup("SELFCARE_TODAY").filter(|v| !v.trim().is_empty()) {
            None => None,
            Some(raw) => Some(
                NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| ConfigError {
                    variable: "SELFCARE_TODAY",
                    value: raw,
                    expected: "a date in the form YYYY-MM-DD, such as 2024-08-20",
                })?,
            ),
        };
        let site_root = lookup("SELFCARE_SITE_ROOT")
            .filter(|v| !v.trim().is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(".build/site"));
        let provider_slug = lookup("SELFCARE_PROVIDER")
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "lumen".to_string());
        if !provider_slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(ConfigError {
                variable: "SELFCARE_PROVIDER",
                value: provider_slug,
                expected: "a provider slug of lower-case letters, digits and dashes",
            });
        }
        let secure_cookies =
            parse_bool("SELFCARE_SECURE_COOKIES", lookup("SELFCARE_SECURE_COOKIES"))?;
        let demo_data = parse_bool("SELFCARE_DEMO_DATA", lookup("SELFCARE_DEMO_DATA"))?;
        let bench_route = parse_bool("SELFCARE_BENCH_ROUTE", lookup("SELFCARE_BENCH_ROUTE"))?;
        let log_json = match lookup("SELFCARE_LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("") | Some("text") => false,
            Some("json") => true,
            Some(other) => {
                return Err(ConfigError {
                    variable: "SELFCARE_LOG_FORMAT",
                    value: other.to_string(),
                    expected: "text or json",
                });
            }
        };
        let db_pool_size = match lookup("SELFCARE_DB_POOL_SIZE").as_deref().map(str::trim) {
            None | Some("") => DEFAULT_DB_POOL_SIZE,
            Some(value) => value
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or(ConfigError {
                    variable: "SELFCARE_DB_POOL_SIZE",
                    value: value.to_string(),
                    expected: "a number of connections from 1 to 1000",
                })?,
        };
        let hsts_max_age = match lookup("SELFCARE_HSTS_MAX_AGE").as_deref().map(str::trim) {
            None | Some("") => DEFAULT_HSTS_MAX_AGE,
            Some(value) => value
                .parse::<u64>()
                .ok()
                .filter(|n| *n <= 2 * DEFAULT_HSTS_MAX_AGE)
                .ok_or(ConfigError {
                    variable: "SELFCARE_HSTS_MAX_AGE",
                    value: value.to_string(),
                    expected: "seconds from 0 to 63072000 (two years)",
                })?,
        };
        let trusted_raw = lookup("SELFCARE_TRUSTED_PROXIES").unwrap_or_default();
        let trusted_proxies = TrustedProxies::parse(&trusted_raw).map_err(|_| ConfigError {
            variable: "SELFCARE_TRUSTED_PROXIES",
            value: trusted_raw.clone(),
            expected: "a comma-separated list of addresses or networks, such as 10.0.0.0/8, 192.0.2.7",
        })?;
        let seconds =
            |variable: &'static str, default: Duration| -> Result<Duration, ConfigError> {
                match lookup(variable).as_deref().map(str::trim) {
                    None | Some("") => Ok(default),
                    Some(value) => value
                        .parse::<u64>()
                        .ok()
                        .filter(|n| (1..=3600).contains(n))
                        .map(Duration::from_secs)
                        .ok_or(ConfigError {
                            variable,
                            value: value.to_string(),
                            expected: "seconds from 1 to 3600",
                        }),
                }
            };
        let defaults = crate::listen::Timeouts::default();
        let timeouts = crate::listen::Timeouts {
            header_read: seconds("SELFCARE_HEADER_TIMEOUT_SECS", defaults.header_read)?,
            body: seconds("SELFCARE_BODY_TIMEOUT_SECS", defaults.body)?,
        };
        let data_key = match lookup("SELFCARE_DATA_KEY").filter(|v| !v.trim().is_empty()) {
            None => None,
            Some(spec) => match DataKeys::parse(&spec) {
                Ok(_) => Some(DataKeySpec(spec)),
                Err(why) => {
                    return Err(ConfigError {
                        variable: "SELFCARE_DATA_KEY",
                        // The key itself never goes to a terminal or a log.
                        value: format!("(hidden: {why})"),
                        expected: DATA_KEY_EXPECTED,
                    });
                }
            },
        };
        let smtp_url = lookup("SELFCARE_SMTP_URL")
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        if let Some(url) = &smtp_url
            && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
        {
            return Err(ConfigError {
                variable: "SELFCARE_SMTP_URL",
                value: "(hidden)".into(),
                expected: "a URL starting with smtps:// or smtp:// (with ?tls=required for STARTTLS)",
            });
        }
        let mail_from = lookup("SELFCARE_MAIL_FROM")
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        let mail_from = match (mail_from, &smtp_url) {
            (Some(from), _) => from,
            (None, None) => "Selfcare <no-reply@selfcare.invalid>".to_string(),
            (None, Some(_)) => {
                return Err(ConfigError {
                    variable: "SELFCARE_MAIL_FROM",
                    value: String::new(),
                    expected: "the sender of mails, such as Lumen <no-reply@lumen.example> \
                               (required with SELFCARE_SMTP_URL)",
                });
            }
        };
        let public_url = match lookup("SELFCARE_PUBLIC_URL").map(|v| v.trim().to_string()) {
            None => format!("http://{addr}"),
            Some(url) if url.is_empty() => format!("http://{addr}"),
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                url.trim_end_matches('/').to_string()
            }
            Some(url) => {
                return Err(ConfigError {
                    variable: "SELFCARE_PUBLIC_URL",
                    value: url,
                    expected: "the portal's address, such as https://portal.lumen.example",
                });
            }
        };
        let per_address_burst = match lookup("SELFCARE_PER_ADDRESS_BURST")
            .as_deref()
            .map(str::trim)
        {
            None | Some("") => crate::routes::DEFAULT_PER_ADDRESS_BURST,
            Some(value) => value
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=100_000).contains(n))
                .ok_or(ConfigError {
                    variable: "SELFCARE_PER_ADDRESS_BURST",
                    value: value.to_string(),
                    expected: "a number of calls from 1 to 100000",
                })?,
        };
        let webhook_url = lookup("SELFCARE_WEBHOOK_URL")
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        let webhook_secret = lookup("SELFCARE_WEBHOOK_SECRET").map(|v| v.trim().to_string());
        let webhook = match (webhook_url, webhook_secret) {
            (None, _) => None,
            (Some(url), _) if !(url.starts_with("https://") || url.starts_with("http://")) => {
                return Err(ConfigError {
                    variable: "SELFCARE_WEBHOOK_URL",
                    value: url,
                    expected: "an https:// (or http://) URL",
                });
            }
            (Some(url), Some(secret)) if secret.len() >= 32 => Some(WebhookTarget { url, secret }),
            (Some(_), _) => {
                return Err(ConfigError {
                    variable: "SELFCARE_WEBHOOK_SECRET",
                    value: "(hidden)".into(),
                    expected: "at least 32 characters, shared with the webhook's receiver",
                });
            }
        };
        Ok(Config {
            database_url,
            addr,
            today,
            site_root,
            provider_slug,
            secure_cookies,
            demo_data,
            log_json,
            bench_route,
            db_pool_size,
            hsts_max_age,
            trusted_proxies,
            timeouts,
            data_key,
            smtp_url: smtp_url.map(SmtpUrl),
            mail_from,
            public_url,
            per_address_burst,
            webhook,
        })
    }

    /// Whether `/dev/mailbox` is served: with the demo data and without an SMTP server only.
    pub fn dev_mailbox(&self) -> bool {
        self.demo_data && self.smtp_url.is_none()
    }

    /// The data keys: `SELFCARE_DATA_KEY`, or the public demo key when the demo data is on.
    /// Without either the server does not start (issue 24 item 15).
    pub fn data_keys(&self) -> Result<Arc<DataKeys>, ConfigError> {
        match &self.data_key {
            Some(DataKeySpec(spec)) => {
                DataKeys::parse(spec)
                    .map(Arc::new)
                    .map_err(|why| ConfigError {
                        variable: "SELFCARE_DATA_KEY",
                        value: format!("(hidden: {why})"),
                        expected: DATA_KEY_EXPECTED,
                    })
            }
            None if self.demo_data => Ok(Arc::new(DataKeys::demo())),
            None => Err(ConfigError {
                variable: "SELFCARE_DATA_KEY",
                value: String::new(),
                expected: DATA_KEY_EXPECTED,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    const DB: (&str, &str) = (
        "DATABASE_URL",
        "postgres://selfcare@127.0.0.1:5432/selfcare",
    );

    /// Issue 27: the development mailbox exists in the demo without SMTP only; SMTP needs a
    /// sender; the URL's password is never printed.
    #[test]
    fn mail_settings() {
        let demo = config(&[DB, ("SELFCARE_DEMO_DATA", "true")]).expect("valid");
        assert!(demo.dev_mailbox());
        assert_eq!(demo.public_url, "http://127.0.0.1:3000");
        let smtp = ("SELFCARE_SMTP_URL", "smtps://u:secret@mail.example:465");
        let no_sender =
            config(&[DB, ("SELFCARE_DEMO_DATA", "true"), smtp]).expect_err("sender required");
        assert_eq!(no_sender.variable, "SELFCARE_MAIL_FROM");
        let sent = config(&[
            DB,
            ("SELFCARE_DEMO_DATA", "true"),
            smtp,
            ("SELFCARE_MAIL_FROM", "Lumen <no-reply@lumen.example>"),
            ("SELFCARE_PUBLIC_URL", "https://portal.lumen.example/"),
        ])
        .expect("valid");
        assert!(!sent.dev_mailbox());
        assert_eq!(sent.public_url, "https://portal.lumen.example");
        assert!(!format!("{sent:?}").contains("secret"));
        assert!(!config(&[DB]).expect("valid").dev_mailbox());
        let bad = config(&[DB, ("SELFCARE_SMTP_URL", "http://u:secret@x")]).expect_err("scheme");
        assert!(!bad.to_string().contains("secret"));
    }

    /// Issue 24 item 15: no data key, no start, unless the demo data is on; a bad key is named
    /// but never printed.
    #[test]
    fn the_data_key_is_required_outside_the_demo() {
        let missing = config(&[DB])
            .expect("valid")
            .data_keys()
            .expect_err("no key");
        assert_eq!(missing.variable, "SELFCARE_DATA_KEY");
        let demo = config(&[DB, ("SELFCARE_DEMO_DATA", "true")]).expect("valid");
        assert_eq!(demo.data_keys().expect("demo key").current_id(), 0);
        let key = "3:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        let real = config(&[DB, ("SELFCARE_DATA_KEY", key)]).expect("valid");
        assert_eq!(real.data_keys().expect("key").current_id(), 3);
        assert!(
            !format!("{real:?}").contains("00112233"),
            "the key is not in Debug"
        );
        let bad = config(&[DB, ("SELFCARE_DATA_KEY", "3:00112233")]).expect_err("short key");
        assert!(!bad.to_string().contains("00112233"), "{bad}");
    }

    #[test]
    fn defaults() {
        let c = config(&[DB]).expect("valid");
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.today, None);
        assert_eq!(c.provider_slug, "lumen");
        assert!(!c.secure_cookies && !c.demo_data && !c.log_json);
        assert_eq!(c.db_pool_size, DEFAULT_DB_POOL_SIZE);
        let sized = config(&[DB, ("SELFCARE_DB_POOL_SIZE", " 4 ")]).expect("valid");
        assert_eq!(sized.db_pool_size, 4);
        assert_eq!(c.hsts_max_age, DEFAULT_HSTS_MAX_AGE);
        let hsts = config(&[DB, ("SELFCARE_HSTS_MAX_AGE", "600")]).expect("valid");
        assert_eq!(hsts.hsts_max_age, 600);
        assert_eq!(c.timeouts, crate::listen::Timeouts::default());
        let quick = config(&[DB, ("SELFCARE_HEADER_TIMEOUT_SECS", "2")]).expect("valid");
        assert_eq!(
            quick.timeouts.header_read,
            std::time::Duration::from_secs(2)
        );
        assert!(config(&[DB, ("SELFCARE_BODY_TIMEOUT_SECS", "0")]).is_err());
        assert!(
            c.trusted_proxies.is_empty(),
            "no proxy is trusted by default"
        );
        let proxied =
            config(&[DB, ("SELFCARE_TRUSTED_PROXIES", "10.0.0.0/8, ::1")]).expect("valid");
        assert!(
            proxied
                .trusted_proxies
                .contains("10.2.3.4".parse().expect("ip"))
        );
    }

    #[test]
    fn pinned_today() {
        let c = config(&[DB, ("SELFCARE_TODAY", "2024-08-20")]).expect("valid");
        assert_eq!(c.today, NaiveDate::from_ymd_opt(2024, 8, 20));
    }

    #[test]
    fn bad_values_name_the_variable() {
        let cases: [(&[(&str, &str)], &str); 11] = [
            (&[], "DATABASE_URL"),
            (&[("DATABASE_URL", "mysql://x")], "DATABASE_URL"),
            (&[DB, ("SELFCARE_TODAY", "20.08.2024")], "SELFCARE_TODAY"),
            (&[DB, ("SELFCARE_ADDR", "localhost")], "SELFCARE_ADDR"),
            (&[DB, ("SELFCARE_DEMO_DATA", "maybe")], "SELFCARE_DEMO_DATA"),
            (
                &[DB, ("SELFCARE_DB_POOL_SIZE", "0")],
                "SELFCARE_DB_POOL_SIZE",
            ),
            (
                &[DB, ("SELFCARE_DB_POOL_SIZE", "many")],
                "SELFCARE_DB_POOL_SIZE",
            ),
            (
                &[DB, ("SELFCARE_PROVIDER", "Lumen Telecom")],
                "SELFCARE_PROVIDER",
            ),
            (
                &[DB, ("SELFCARE_TRUSTED_PROXIES", "10.0.0.0/40")],
                "SELFCARE_TRUSTED_PROXIES",
            ),
            (
                &[DB, ("SELFCARE_HSTS_MAX_AGE", "a year")],
                "SELFCARE_HSTS_MAX_AGE",
            ),
            (
                &[DB, ("SELFCARE_HSTS_MAX_AGE", "999999999")],
                "SELFCARE_HSTS_MAX_AGE",
            ),
        ];
        for (pairs, variable) in cases {
            let err = config(pairs).expect_err("invalid");
            assert_eq!(err.variable, variable);
            assert!(err.to_string().contains(variable));
        }
        let err = config(&[DB, ("SELFCARE_TODAY", "2024-02-30")]).expect_err("invalid");
        assert_eq!(
            err.to_string(),
            "SELFCARE_TODAY=\"2024-02-30\" is not valid; expected a date in the form YYYY-MM-DD, such as 2024-08-20"
        );
    }
}
