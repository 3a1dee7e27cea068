//! The `api` binary: parse the command line and hand over to `api::cli`.

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    api::cli::run(api::cli::Cli::parse()).await
}
