//! The `headless-commerce` command line (SPEC §10).

use std::process::ExitCode;

use commerce_domain::apikey::{KeyKind, Mode};
use commerce_domain::ids::ApiKeyId;
use commerce_domain::usecases::NewKeyRequest;

use crate::settings::Settings;
use crate::startup::{prepare_database, services, Application};

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Run the API and the jobs.
    Serve {
        /// Load the demo catalog and print test keys.
        demo: bool,
    },
    /// Create the database if missing and apply migrations.
    Migrate,
    /// Issue a key and print it once.
    KeysCreate {
        /// Publishable or secret.
        kind: KeyKind,
        /// Test or live (default: the server's mode).
        mode: Option<Mode>,
        /// A label.
        name: String,
    },
    /// List keys.
    KeysList,
    /// Revoke a key.
    KeysRevoke {
        /// The key's id (`key_…`).
        id: String,
    },
}

/// Usage text.
pub const USAGE: &str = "usage:
  headless-commerce serve [--demo]
  headless-commerce migrate
  headless-commerce keys create --kind publishable|secret [--mode test|live] [--name NAME]
  headless-commerce keys list
  headless-commerce keys revoke <key id>";

/// Parses the arguments after the program name.
///
/// # Errors
/// A message with the usage.
pub fn parse(args: &[String]) -> Result<Command, String> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["serve"] => Ok(Command::Serve { demo: false }),
        ["serve", "--demo"] => Ok(Command::Serve { demo: true }),
        ["migrate"] => Ok(Command::Migrate),
        ["keys", "list"] => Ok(Command::KeysList),
        ["keys", "revoke", id] => Ok(Command::KeysRevoke {
            id: (*id).to_owned(),
        }),
        ["keys", "create", rest @ ..] => {
            let (mut kind, mut mode, mut name) = (None, None, None);
            let mut flags = rest.iter();
            while let Some(flag) = flags.next() {
                let value = flags
                    .next()
                    .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
                match *flag {
                    "--kind" => {
                        kind = Some(
                            KeyKind::parse(value).ok_or("--kind must be publishable or secret")?,
                        )
                    }
                    "--mode" => {
                        mode = Some(Mode::parse(value).ok_or("--mode must be test or live")?)
                    }
                    "--name" => name = Some((*value).to_owned()),
                    other => return Err(format!("unknown flag {other}\n{USAGE}")),
                }
            }
            let kind = kind.ok_or_else(|| format!("--kind is required\n{USAGE}"))?;
            let name = name.unwrap_or_else(|| format!("{} key", kind.as_str()));
            Ok(Command::KeysCreate { kind, mode, name })
        }
        _ => Err(USAGE.to_owned()),
    }
}

/// Runs a command to completion.
pub async fn run(command: Command, settings: Settings) -> ExitCode {
    match execute(command, settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("headless-commerce: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn execute(command: Command, settings: Settings) -> Result<(), String> {
    match command {
        Command::Serve { demo } => serve(settings, demo).await,
        Command::Migrate => {
            prepare_database(&settings)
                .await
                .map_err(|e| e.to_string())?;
            println!("database ready: every migration applied");
            Ok(())
        }
        Command::KeysCreate { kind, mode, name } => {
            let state = offline_state(&settings).await?;
            let issued = state
                .keys
                .create(NewKeyRequest {
                    name,
                    kind,
                    mode: mode.unwrap_or(settings.mode()),
                    expires_at: None,
                })
                .await
                .map_err(|e| e.to_string())?;
            println!("{}  {}", issued.info.id, issued.plaintext);
            println!("(shown once: store it now)");
            Ok(())
        }
        Command::KeysList => {
            let state = offline_state(&settings).await?;
            for key in state.keys.list().await.map_err(|e| e.to_string())? {
                let revoked = if key.revoked_at.is_some() {
                    "  revoked"
                } else {
                    ""
                };
                println!(
                    "{}  {}…  {:<11} {}  {}{revoked}",
                    key.id,
                    key.key_prefix,
                    key.kind.as_str(),
                    key.mode.as_str(),
                    key.name
                );
            }
            Ok(())
        }
        Command::KeysRevoke { id } => {
            let state = offline_state(&settings).await?;
            let id = ApiKeyId::parse(&id).map_err(|e| e.to_string())?;
            state.keys.revoke(&id).await.map_err(|e| e.to_string())?;
            println!("revoked {id}");
            Ok(())
        }
    }
}

/// The services for key commands, which never call TossPayments.
async fn offline_state(settings: &Settings) -> Result<crate::state::AppState, String> {
    let store = prepare_database(settings)
        .await
        .map_err(|e| e.to_string())?;
    let secret = settings
        .toss_secret_key
        .clone()
        .unwrap_or_else(|| "test_sk_unused".to_owned());
    services(
        settings,
        store,
        &settings.toss_api_base,
        &secret,
        std::sync::Arc::default(),
    )
    .map_err(|e| e.to_string())
}

async fn serve(settings: Settings, demo: bool) -> Result<(), String> {
    let app = Application::build(settings.clone())
        .await
        .map_err(|e| e.to_string())?;
    let mode = settings.mode();
    println!(
        "headless-commerce listening on {} ({} mode)",
        app.base_url,
        mode.as_str()
    );
    if let Some(sandbox) = &app.sandbox {
        println!(
            "TossPayments sandbox (in-process) at {}",
            sandbox.base_url()
        );
    }
    if demo {
        if mode == Mode::Live {
            return Err("--demo is for test mode only".to_owned());
        }
        let created = crate::demo::load_catalog(&app.state)
            .await
            .map_err(|e| e.to_string())?;
        let (publishable, secret) = crate::demo::issue_keys(&app.state)
            .await
            .map_err(|e| e.to_string())?;
        println!("demo catalog ready ({created} products added); test keys (shown once):");
        println!("export HC_API={}/v1", app.base_url);
        println!("export HC_PK={publishable}");
        println!("export HC_SK={secret}");
        if let Some(sandbox) = &app.sandbox {
            println!("export TOSS_SANDBOX={}", sandbox.base_url());
        }
    }
    app.run_until_stopped().await.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn commands_parse() {
        assert_eq!(
            parse(&args("serve --demo")),
            Ok(Command::Serve { demo: true })
        );
        assert_eq!(parse(&args("migrate")), Ok(Command::Migrate));
        assert_eq!(
            parse(&args("keys create --kind secret --mode live --name ops")),
            Ok(Command::KeysCreate {
                kind: KeyKind::Secret,
                mode: Some(Mode::Live),
                name: "ops".into()
            })
        );
        assert_eq!(
            parse(&args("keys revoke key_abc")),
            Ok(Command::KeysRevoke {
                id: "key_abc".into()
            })
        );
    }

    #[test]
    fn bad_commands_show_the_usage() {
        for line in [
            "",
            "serve --now",
            "keys create",
            "keys create --kind admin",
            "keys create --kind secret --mode",
        ] {
            assert!(parse(&args(line)).is_err(), "{line}");
        }
    }
}
