//! `selfcare-server [serve|migrate|demo-data|billing-run|rotate-data-key|new-data-key|api-key]`:
//! see the README for the environment.

use std::process::ExitCode;

use server::{Config, MIGRATOR, api_key_command::KeyCommand, connect, demo};
use tracing_subscriber::{EnvFilter, fmt};

const USAGE: &str =
    "usage: selfcare-server [serve|migrate|demo-data|billing-run [--date YYYY-MM-DD]|rotate-data-key|new-data-key|api-key …]
  serve            migrate, optionally load demo data (SELFCARE_DEMO_DATA=true), serve (default)
  migrate          apply the database migrations and exit
  demo-data        apply the migrations, load the demo households and print their logins
  billing-run      activate, invoice and charge autopay for a day (default: today by the clock)
  rotate-data-key  seal every IBAN and two-factor secret again under the first key of
                   SELFCARE_DATA_KEY (docs/DEPLOYMENT.md, \"Secrets at rest\")
  new-data-key     print a new random data key for SELFCARE_DATA_KEY
  api-key …        the provider API's keys (README, \"Connecting your systems\"):";

/// mimalloc rather than glibc's malloc: a page render allocates a lot of small, short-lived
/// buffers, and glibc's allocator took a sixth of the server's CPU time under load (issue 10).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn init_tracing(json: bool) {
    let filter = EnvFilter::try_from_env("SELFCARE_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    if json {
        fmt().json().with_env_filter(filter).init();
    } else {
        fmt().with_env_filter(filter).init();
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let command = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "serve".to_string());
    if command == "new-data-key" {
        // Needs neither configuration nor database.
        return match app::backend::sealed::DataKeys::new_key_hex() {
            Ok(hex) => {
                println!("1:{hex}");
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("selfcare: {err}");
                ExitCode::FAILURE
            }
        };
    }
    if !matches!(
        command.as_str(),
        "serve" | "migrate" | "demo-data" | "billing-run" | "rotate-data-key" | "api-key"
    ) {
        eprintln!("{USAGE}\n{}", server::api_key_command::USAGE);
        return if matches!(command.as_str(), "-h" | "--help" | "help") {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(2)
        };
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("selfcare: configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    // `billing-run --date D`: the day to bill, or today by the clock (P5).
    let billing_day = match (command.as_str(), std::env::args().nth(2).as_deref()) {
        ("billing-run", Some("--date")) => {
            match std::env::args()
                .nth(3)
                .map(|d| d.parse::<chrono::NaiveDate>())
            {
                Some(Ok(day)) => day,
                _ => {
                    eprintln!("selfcare: --date needs a date as YYYY-MM-DD\n{USAGE}");
                    return ExitCode::from(2);
                }
            }
        }
        ("billing-run", Some(other)) => {
            eprintln!("selfcare: unknown argument {other:?}\n{USAGE}");
            return ExitCode::from(2);
        }
        _ => config.clock().today(),
    };
    let key_command = if command == "api-key" {
        let args: Vec<String> = std::env::args().skip(2).collect();
        match KeyCommand::parse(&args) {
            Ok(key_command) => Some(key_command),
            Err(err) => {
                eprintln!("selfcare: {err}\n{}", server::api_key_command::USAGE);
                return ExitCode::from(2);
            }
        }
    } else {
        None
    };
    init_tracing(config.log_json);
    let outcome = if let Some(key_command) = key_command {
        server::api_key_command::run(&config, key_command).await
    } else {
        match command.as_str() {
            "migrate" => {
                async {
                    let pool = connect(&config, std::time::Duration::from_secs(30)).await?;
                    MIGRATOR.run(&pool).await?;
                    println!("migrations applied");
                    Ok(())
                }
                .await
            }
            "demo-data" => {
                async {
                    let pool = connect(&config, std::time::Duration::from_secs(30)).await?;
                    MIGRATOR.run(&pool).await?;
                    let today = config.clock().today();
                    // The demo-data command is the demo: the demo key unless a real one is set.
                    let keys = match config.data_keys() {
                        Ok(keys) => keys,
                        Err(_) if config.data_key.is_none() => {
                            std::sync::Arc::new(app::backend::sealed::DataKeys::demo())
                        }
                        Err(err) => return Err(err.into()),
                    };
                    demo::load(&pool, today, &keys).await?;
                    demo::print_logins();
                    Ok(())
                }
                .await
            }
            "billing-run" => server::billing_run_command(&config, billing_day).await,
            "rotate-data-key" => server::rotate_data_key_command(&config).await,
            _ => server::serve(config).await,
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("selfcare: {err}");
            ExitCode::FAILURE
        }
    }
}
