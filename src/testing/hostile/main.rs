//! The `ecsync-hostile` binary (feature `test-utils`; for the process tests only): `ecsync node` plus
//! `--misbehave KIND` and `--extend-every-ms N` (see `ecsync::testing::hostile`). Failures are one line on stderr
//! and a non-zero exit, as with `ecsync`.

use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;
use ecsync::testing::hostile::{HostileCli, run};

fn main() -> ExitCode {
    let cli = match HostileCli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            print!("{e}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            eprintln!("{first} (see --help)");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ECSYNC_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
