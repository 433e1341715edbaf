//! `toss-sandbox`: the TossPayments simulator as a standalone server.

use std::process::ExitCode;

use tosspayments_sandbox::{start, SandboxConfig};

const USAGE: &str = "usage: toss-sandbox --bind 127.0.0.1:<port> [--webhook-url URL] [--webhook-secret SECRET] [--secret-key KEY] [--fault-delay-ms MS]";

fn parse(mut args: impl Iterator<Item = String>) -> Result<SandboxConfig, String> {
    let mut config = SandboxConfig {
        bind: "127.0.0.1:8090".to_owned(),
        ..SandboxConfig::default()
    };
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--bind" => config.bind = value()?,
            "--webhook-url" => config.webhook_url = Some(value()?),
            "--webhook-secret" => config.webhook_secret = Some(value()?),
            "--secret-key" => config.secret_key = Some(value()?),
            "--fault-delay-ms" => {
                let ms = value()?
                    .parse()
                    .map_err(|_| "--fault-delay-ms takes milliseconds".to_owned())?;
                config.fault_delay = std::time::Duration::from_millis(ms);
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(config)
}

#[tokio::main]
async fn main() -> ExitCode {
    let config = match parse(std::env::args().skip(1)) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let sandbox = match start(config).await {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("toss-sandbox: cannot listen: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("TossPayments sandbox listening on {}", sandbox.base_url());
    let _ = tokio::signal::ctrl_c().await;
    sandbox.stop().await;
    ExitCode::SUCCESS
}
