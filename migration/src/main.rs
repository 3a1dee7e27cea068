//! The stand-alone migration CLI (`cargo run -p migration -- up`), for operators who want to
//! migrate without starting the server. It reads `DATABASE_URL` like the server does.

use sea_orm_migration::prelude::*;

#[tokio::main]
async fn main() {
    cli::run_cli(migration::Migrator).await;
}
