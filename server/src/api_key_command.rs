//! `selfcare-server api-key create|list|revoke`: the provider API's keys (issue 28 item 1), for
//! the provider of this deployment (`SELFCARE_PROVIDER`).

use std::time::Duration;

use app::backend::{
    provider_keys::{self, Scope},
    repo,
};

use crate::{BoxError, Config, MIGRATOR, connect};

pub const USAGE: &str = "  api-key create --name NAME --scopes read,write,usage
                   make a provider API key and print it (shown this once)
  api-key list     the provider's keys: id, name, start of the key, scopes, last use
  api-key revoke ID
                   revoke a key: calls with it are refused from now on";

/// What `api-key` was asked to do.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyCommand {
    Create { name: String, scopes: Vec<Scope> },
    List,
    Revoke { id: i64 },
}

impl KeyCommand {
    /// Reads the arguments after `api-key`.
    pub fn parse(args: &[String]) -> Result<KeyCommand, String> {
        let rest: Vec<&str> = args.iter().map(String::as_str).collect();
        match rest.as_slice() {
            ["list"] => Ok(KeyCommand::List),
            ["revoke", id] => id
                .parse()
                .map(|id| KeyCommand::Revoke { id })
                .map_err(|_| format!("{id:?} is not a key id")),
            ["create", options @ ..] => {
                let mut name = None;
                let mut scopes = None;
                let mut options = options.iter();
                while let Some(option) = options.next() {
                    let value = options
                        .next()
                        .ok_or_else(|| format!("{option} needs a value"))?;
                    match *option {
                        "--name" => name = Some(value.to_string()),
                        "--scopes" => {
                            scopes = Some(
                                value
                                    .split(',')
                                    .map(|s| {
                                        Scope::parse(s.trim()).ok_or_else(|| {
                                            format!("unknown scope {s:?} (read, write, usage)")
                                        })
                                    })
                                    .collect::<Result<Vec<_>, _>>()?,
                            )
                        }
                        other => return Err(format!("unknown option {other:?}")),
                    }
                }
                let name = name
                    .filter(|n| !n.trim().is_empty() && n.chars().count() <= 100)
                    .ok_or("--name needs 1 to 100 characters")?;
                let scopes = scopes
                    .filter(|s| !s.is_empty())
                    .ok_or("--scopes needs one or more of read, write, usage")?;
                Ok(KeyCommand::Create { name, scopes })
            }
            _ => Err("api-key needs create, list or revoke".to_owned()),
        }
    }
}

/// Runs an `api-key` command against the database of `config`.
pub async fn run(config: &Config, command: KeyCommand) -> Result<(), BoxError> {
    let pool = connect(config, Duration::from_secs(30)).await?;
    MIGRATOR.run(&pool).await?;
    let provider_id = repo::providers::id_by_slug(&pool, &config.provider_slug)
        .await?
        .ok_or_else(|| format!("no provider {:?} in the database", config.provider_slug))?;
    match command {
        KeyCommand::Create { name, scopes } => {
            let (id, key) = provider_keys::create(&pool, provider_id, &name, &scopes).await?;
            let scopes: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
            println!("key {id} {name:?} ({}):", scopes.join(", "));
            println!("{key}");
            println!(
                "It is shown this once: keep it in the secrets of the system that calls the API."
            );
        }
        KeyCommand::List => {
            let keys = provider_keys::list(&pool, provider_id).await?;
            if keys.is_empty() {
                println!("no keys");
            }
            for key in keys {
                let state = match (key.revoked_at, key.last_used_at) {
                    (Some(at), _) => format!("revoked {}", at.format("%Y-%m-%d %H:%M")),
                    (None, Some(at)) => format!("last used {}", at.format("%Y-%m-%d %H:%M")),
                    (None, None) => "never used".to_owned(),
                };
                println!(
                    "{}\t{}\t{}…\t{}\t{}",
                    key.id,
                    key.name,
                    key.hint,
                    key.scopes.join(","),
                    state
                );
            }
        }
        KeyCommand::Revoke { id } => {
            if provider_keys::revoke(&pool, provider_id, id).await? {
                println!("key {id} revoked");
            } else {
                return Err(format!("no key {id} in force").into());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn commands_are_read_with_their_options() {
        assert_eq!(
            KeyCommand::parse(&args("create --name mediation --scopes usage,read")),
            Ok(KeyCommand::Create {
                name: "mediation".into(),
                scopes: vec![Scope::Usage, Scope::Read]
            })
        );
        assert_eq!(KeyCommand::parse(&args("list")), Ok(KeyCommand::List));
        assert_eq!(
            KeyCommand::parse(&args("revoke 7")),
            Ok(KeyCommand::Revoke { id: 7 })
        );
        for bad in [
            "create --name x",
            "create --scopes usage",
            "create --name x --scopes admin",
            "create --name x --scopes",
            "revoke seven",
            "rotate",
        ] {
            assert!(KeyCommand::parse(&args(bad)).is_err(), "{bad}");
        }
    }
}
