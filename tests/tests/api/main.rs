//! Integration tests: the real router over real HTTP, a fresh database per test. Run against
//! PostgreSQL by setting `TEST_DATABASE_URL` (see the README).

mod access;
mod attachments;
mod audit;
mod auth;
mod clients;
mod ecosystem;
mod extensions;
mod first_start;
mod hostile;
mod http;
mod import;
mod import_files;
mod import_races;
mod import_tables;
mod instructions;
mod ledger;
mod live;
mod loaders;
mod nodes;
mod obligations;
mod operations;
mod periods;
mod progress;
mod proposals;
mod registry;
mod reminders;
mod reports;
mod scale;
mod schema;
mod stored_obligations;
mod tasks;
mod uploads;
mod values;
mod visibility;
mod year;
